/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The view sent to init (view.c's plan, executed): each entry a root
 * request, sent in a row with a window of answers pending, and the
 * broker's model of the root (rootview.c) kept along. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "broker.h"
#include "log.h"
#include "view.h"

static const char *const kind_names[] = {"directory", "symlink", "bind", "hidden mount", "procfs", "guard"};

/* Send E's request to init; its id in *ID. */
static int send_entry(struct broker *b, const struct view_entry *e, uint32_t *id)
{
	char buf[sizeof(struct sbx_bind_req) + PATH_MAX * 2 + 2];
	const char *s[2] = {e->path, e->target};
	struct sbx_bind_req req = {
		.dev = e->dev, .ino = e->ino, .mode = e->type, .flags = e->flags,
	};
	bool with_req = e->kind == VIEW_BIND || e->kind == VIEW_HIDE;
	ssize_t len = sbx_payload_pack(buf, sizeof(buf), with_req ? &req : NULL, with_req ? sizeof(req) : 0,
				       s, e->target ? 2 : 1);
	if (len < 0)
		return (int)len;
	static const uint32_t type[] = {SBX_MSG_ROOT_DIR, SBX_MSG_ROOT_SYMLINK, SBX_MSG_ROOT_BIND,
					SBX_MSG_ROOT_HIDE, SBX_MSG_ROOT_PROC};
	int r = 0;
	/* The broker's model of the root: what is there by name. */
	if (e->kind == VIEW_DIR || e->kind == VIEW_SYMLINK || e->kind == VIEW_BIND)
		r = sbx_rootview_add(&b->root, e->path, e->type, e->target);
	return r < 0 ? r : broker_root_send(b, type[e->kind], buf, (size_t)len, id);
}

/* Requests in flight at once: init works through them while the next are
 * sent, with no round trip each, and neither side's socket buffer fills
 * (a request is at most two paths; its answer a few bytes). */
#define WINDOW 16

int view_send(struct broker *b, const struct view *v)
{
	pthread_mutex_lock(&b->root_lock);
	struct { uint32_t id; size_t entry; } flight[WINDOW];
	size_t head = 0, sent = 0, done = 0, failed = 0;
	int r = 0;
	/* Each entry waits for nothing of the ones before it but their
	 * order: init executes them as they come, parents first. */
	while (r == 0 && (head < v->n || done < sent)) {
		if (head < v->n && sent - done < WINDOW) {
			size_t i = head++;
			if (v->v[i].kind == VIEW_GUARD)
				continue;
			flight[sent % WINDOW].entry = i;
			r = send_entry(b, &v->v[i], &flight[sent % WINDOW].id);
			failed = i;
			sent += r == 0;
			continue;
		}
		failed = flight[done % WINDOW].entry;
		r = broker_root_wait(b, flight[done++ % WINDOW].id);
	}
	if (r < 0)
		sbx_log_errno(r, "cannot build the view: %s %s", kind_names[v->v[failed].kind],
			      v->v[failed].path);
	pthread_mutex_unlock(&b->root_lock);
	return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A struct broker for unit tests of the layers beneath the pool: the
 * host's "/" as its root fd, no channel, no listener (requests are made
 * with id 0, as client library requests are), the locks ready. */
#ifndef SBX_TEST_BROKERFIX_H
#define SBX_TEST_BROKERFIX_H

#include <fcntl.h>
#include <pthread.h>

#include "broker.h"

static inline int brokerfix_init(struct broker *b)
{
	b->rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	b->listener = b->sbxroot = b->chan = b->client_sock = b->json_fd = -1;
	b->init_pidfd = b->janitor_fd = -1;
	if (b->rootfd < 0 || pthread_mutex_init(&b->root_lock, NULL) ||
	    pthread_mutex_init(&b->log_lock, NULL) || pthread_mutex_init(&b->hosts.lock, NULL))
		return -1;
	return 0;
}

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox-broker: the program (main.c holds the broker's flow, shared with
 * a broker serving in a launcher's process). */
#include "broker.h"

int main(int argc, char **argv)
{
	return broker_main(argc, argv);
}

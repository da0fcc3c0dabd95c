#ifndef GUMLOOP_LOOP_H
#define GUMLOOP_LOOP_H
/*
 * The server's one loop, in one thread: it waits in poll() on stdin and on
 * the next wait poll due, hands each line to the protocol, and runs the
 * waits' polls when they are due. While a request is in flight, the
 * protocol asks it to look at the input: a ping is answered at once, a
 * cancellation marks its request, anything else queues, in order, for the
 * loop to handle next.
 */

/* Serves stdin until end of input, a stop signal or a closed stdout;
 * waits still running then answer with their last state. Returns the exit
 * status. */
int loop_run(int fd);

#endif

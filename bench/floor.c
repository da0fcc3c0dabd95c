/*
 * The start-up floor: reads the two request lines (initialize, tools/list)
 * and writes two canned answers, nothing else. The bench builds it bare
 * and linked against the server's libraries, to show what merely loading
 * them costs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char answers[] =
	"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":"
	"\"2025-06-18\",\"capabilities\":{\"tools\":{}},\"serverInfo\":"
	"{\"name\":\"floor\",\"version\":\"0\"}}}\n"
	"{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[]}}\n";

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	int i;

	for (i = 0; i < 2; i++)
		if (getline(&line, &cap, stdin) < 0)
			return 1;
	free(line);
	return write(1, answers, sizeof(answers) - 1) < 0;
}

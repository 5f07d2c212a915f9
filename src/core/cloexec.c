/* cloexec.c: close-on-exec for descriptors we did not open ourselves. */
#include <fcntl.h>
#include <unistd.h>

#include "scrapeq/cloexec.h"

int
cloexec_set(int fd)
{
	int fl;

	if (fd < 0 || (fl = fcntl(fd, F_GETFD)) == -1)
		return -1;
	if ((fl & FD_CLOEXEC) != 0)
		return 0;
	return fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1 ? -1 : 0;
}

void
cloexec_all(void)
{
	/* Linux 5.11 and later. On an older kernel it does nothing: handlers and selector
	 * workers still close everything past stderr themselves. */
	(void)close_range(STDERR_FILENO + 1, ~0U, CLOSE_RANGE_CLOEXEC);
}

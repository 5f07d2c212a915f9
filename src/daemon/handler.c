/* handler.c: runs a handler command for a job: stdin gets the job, stdout gives progress and a result. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <json-c/json.h>

#include "scrapeq/buf.h"
#include "scrapeq/clock.h"
#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "scrapeq/text.h"
#include "handler.h"
#include "handler_output.h"
#include "handler_user.h"

#define KILL_GRACE_MS 2000      /* between SIGTERM and SIGKILL */

struct handler_run {
	const struct config	*cfg;
	struct store		*st;
	struct queue_job	 q;
	pid_t			 pid;          /* 0 once reaped */
	int			 out;          /* its stdout, non-blocking; -1 once closed */
	struct handler_output	 o;            /* what it printed, read (handler_output.h) */
	int			 progress;
	char			 message[256];
	enum handler_state	 state;
	char			 error[256];
	long long		 deadline;     /* monotonic ms */
	long long		 kill_at;      /* SIGKILL due, 0: none */
	int			 timed_out;
	struct handler_user	 user;         /* who the command runs as */
};

static void fail(struct handler_run *, const char *, ...) __attribute__((format(printf, 2, 3)));

static void
fail(struct handler_run *h, const char *fmt, ...)
{
	va_list ap;

	h->state = HANDLER_FAILED;
	va_start(ap, fmt);
	(void)vsnprintf(h->error, sizeof(h->error), fmt, ap);
	va_end(ap);
}

/* The job as the command reads it on stdin. */
static char *
job_json(const struct queue_job *q)
{
	struct json_object	*o = json_object_new_object(), *cfg;
	char			 id[UUID_STR_LEN + 1], pid[UUID_STR_LEN + 1];
	char			*s;

	uuid_format(&q->id, id);
	uuid_format(&q->project_id, pid);
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "type", json_object_new_string(q->type));
	json_object_object_add(o, "project_id", json_object_new_string(pid));
	json_object_object_add(o, "retry_count", json_object_new_int64(q->retry_count));
	cfg = json_tokener_parse(q->config ? q->config : "{}");
	json_object_object_add(o, "config", cfg ? cfg : json_object_new_object());
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

static void
close_pair(int p[2])
{
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	p[0] = p[1] = -1;
}

/*
 * Splits command on spaces into argv (pointers into buf, which it modifies).
 * config_load refused a command of more than SQ_HANDLER_ARGS_MAX words.
 */
static int
split_args(char *buf, char **argv)
{
	int	 n = 0;
	char	*p = buf;

	while (*p != '\0' && n < SQ_HANDLER_ARGS_MAX) {
		while (*p == ' ')
			*p++ = '\0';
		if (*p == '\0')
			break;
		argv[n++] = p;
		while (*p != '\0' && *p != ' ')
			p++;
	}
	argv[n] = NULL;
	return n;
}

/* What the child tells scrapeqd when it cannot become the handler's user. */
struct child_report {
	int	 err;
	char	 stage[32];
};

#define REPORT_FD 3             /* the report pipe in the child: the one descriptor past stderr */

static void
child_report(const char *stage, int err)
{
	struct child_report r;

	memset(&r, 0, sizeof(r));
	r.err = err;
	text_copy(r.stage, sizeof(r.stage), stage);
	(void)write(REPORT_FD, &r, sizeof(r));
	_exit(126);
}

/*
 * In the child: stdin and stdout are the pipes, stderr is scrapeqd's log; every other
 * descriptor is closed, whatever a library opened without close-on-exec. It gets a
 * process group of its own, / as its directory, the handler's user and a small
 * environment. Async-signal-safe calls only: scrapeqd has threads.
 */
static void
child(int in, int out, int report, char *cmd, const struct handler_user *u)
{
	char		*argv[SQ_HANDLER_ARGS_MAX + 1];
	const char	*stage = "";

	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in, 0) == -1 || dup2(out, 1) == -1)
		_exit(126);
	if (report != REPORT_FD && dup3(report, REPORT_FD, O_CLOEXEC) == -1)
		_exit(126);
	/* The report pipe is close-on-exec: exec closes it, which tells scrapeqd it worked. */
	if (close_range(REPORT_FD + 1, ~0U, 0) == -1)
		child_report("close_range", errno);
	if (chdir("/") == -1)
		child_report("chdir /", errno);
	if (handler_user_become(u, &stage) == -1)
		child_report(stage, errno);
	if (split_args(cmd, argv) == 0)
		_exit(126);
	execve(argv[0], argv, (char *const *)u->envp);
	_exit(127);
}

/* Waits for the child's exec: EOF on the report pipe. Returns 0, or -1 with the child's reason in h->error. */
static int
child_started(struct handler_run *h, int report)
{
	struct child_report	 r;
	ssize_t			 n;
	int			 status;

	while ((n = read(report, &r, sizeof(r))) == -1 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(r))
		return 0;
	r.stage[sizeof(r.stage) - 1] = '\0';
	(void)waitpid(h->pid, &status, 0);
	h->pid = 0;
	fail(h, "Cannot run the handler as %s: %s: %s", h->user.name, r.stage, strerror(r.err));
	return -1;
}

static int
spawn(struct handler_run *h, const char *command, const char *input)
{
	int	 in[2] = { -1, -1 }, out[2] = { -1, -1 }, rep[2] = { -1, -1 }, rc = -1;
	char	 cmd[SQ_HANDLER_CMD_MAX + 1];
	size_t	 left = strlen(input);

	text_copy(cmd, sizeof(cmd), command);
	/* Close-on-exec, so no other child (a selector worker, another handler) holds them. */
	if (pipe2(in, O_CLOEXEC) == -1 || pipe2(out, O_CLOEXEC) == -1 ||
	    pipe2(rep, O_CLOEXEC) == -1)
		goto out;
	if ((h->pid = fork()) == -1) {
		h->pid = 0;
		goto out;
	}
	if (h->pid == 0)
		child(in[0], out[1], rep[1], cmd, &h->user);
	/* The child's ends: with them closed here, a command that does not read gets EPIPE. */
	close(in[0]);
	close(out[1]);
	close(rep[1]);
	in[0] = out[1] = rep[1] = -1;
	if (child_started(h, rep[0]) == -1) {
		rc = 0;            /* a run that has failed, with its reason */
		goto out;
	}
	h->out = out[0];
	out[0] = -1;
	fcntl(h->out, F_SETFL, fcntl(h->out, F_GETFL) | O_NONBLOCK);
	/* The job is small (a config is bounded); a command that does not read it gets EPIPE. */
	while (left > 0) {
		ssize_t w = write(in[1], input, left);

		if (w <= 0)
			break;
		input += w;
		left -= (size_t)w;
	}
	rc = 0;
out:
	close_pair(in);
	close_pair(out);
	close_pair(rep);
	return rc;
}

struct handler_run *
handler_start(const struct config *c, struct store *st, struct queue_job *qj,
    const char *command)
{
	struct handler_run	*h;
	char			*input = NULL;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->cfg = c;
	h->st = st;
	h->q = *qj;
	memset(qj, 0, sizeof(*qj));
	h->out = -1;
	h->state = HANDLER_RUNNING;
	handler_output_init(&h->o, HANDLER_OUTPUT_MAX);
	h->deadline = clock_mono_ms() + (long long)c->daemon_handler_timeout * 1000;
	if (handler_user_resolve(c->daemon_handler_user, &h->user, h->error,
	    sizeof(h->error)) == -1)
		h->state = HANDLER_FAILED;
	else if ((input = job_json(&h->q)) == NULL || spawn(h, command, input) == -1)
		fail(h, "Cannot start the handler: %s", strerror(errno));
	else if (h->state == HANDLER_RUNNING)
		store_log(st, &h->q.id, NULL, "info", "Running handler %.200s as %s", command,
		    h->user.name);
	free(input);
	return h;
}

/* A progress line the command printed: the job's progress, its log line and its event. */
static void
progress(void *arg, int percent, const char *text)
{
	struct handler_run	*h = arg;
	char			*stats;

	h->progress = percent;
	text_copy(h->message, sizeof(h->message), text);
	store_log(h->st, &h->q.id, NULL, "info", "Progress %d%%%s%.200s", h->progress,
	    *text ? ": " : "", text);
	if ((stats = handler_stats_json(h)) != NULL)
		store_progress(h->st, &h->q.id, -1, NULL, stats);   /* and its event */
	free(stats);
}

static void
read_output(struct handler_run *h)
{
	char	 b[4096];
	ssize_t	 n;

	while (h->out != -1) {
		if ((n = read(h->out, b, sizeof(b))) > 0) {
			handler_output_feed(&h->o, b, (size_t)n, progress, h);
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		handler_output_end(&h->o, progress, h);
		close(h->out);
		h->out = -1;
	}
}

/* Exit status to outcome: 0 with a JSON result (or none) completes the job. */
static void
reaped(struct handler_run *h, int status)
{
	h->pid = 0;
	if (h->state != HANDLER_RUNNING)
		return;
	if (h->timed_out)
		fail(h, "Handler timed out after %u s", h->cfg->daemon_handler_timeout);
	else if (WIFSIGNALED(status))
		fail(h, "Handler killed by signal %d", WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		fail(h, "Handler exited with status %d%s", WEXITSTATUS(status),
		    WEXITSTATUS(status) == 127 ? " (command not found)" : "");
	else if (handler_output_verdict(&h->o) == HANDLER_OUTPUT_TOO_LARGE)
		fail(h, "Handler output exceeds %d bytes", HANDLER_OUTPUT_MAX);
	else if (handler_output_verdict(&h->o) != HANDLER_OUTPUT_OK)
		fail(h, "Handler output is not one JSON value");
	else {
		h->progress = 100;
		h->state = HANDLER_COMPLETED;
	}
}

void
handler_poll(struct handler_run *h)
{
	long long	 now = clock_mono_ms();
	int		 status;

	if (h->out != -1)
		read_output(h);
	if (h->pid > 0 && h->state == HANDLER_RUNNING && now >= h->deadline && !h->timed_out) {
		h->timed_out = 1;
		kill(-h->pid, SIGTERM);
		h->kill_at = now + KILL_GRACE_MS;
	}
	if (h->pid > 0 && h->kill_at != 0 && now >= h->kill_at)
		kill(-h->pid, SIGKILL);
	if (h->pid > 0 && h->out == -1 && waitpid(h->pid, &status, WNOHANG) == h->pid)
		reaped(h, status);
	else if (h->pid > 0 && h->timed_out && waitpid(h->pid, &status, WNOHANG) == h->pid)
		reaped(h, status);
}

void
handler_cancel(struct handler_run *h)
{
	if (h->state != HANDLER_RUNNING)
		return;
	h->state = HANDLER_CANCELLED;
	if (h->pid > 0) {
		kill(-h->pid, SIGTERM);
		h->kill_at = clock_mono_ms() + KILL_GRACE_MS;
	}
}

void
handler_free(struct handler_run *h)
{
	int status;

	if (h == NULL)
		return;
	if (h->pid > 0) {
		kill(-h->pid, SIGKILL);
		(void)waitpid(h->pid, &status, 0);
	}
	if (h->out != -1)
		close(h->out);
	handler_output_free(&h->o);
	free(h->q.config);
	free(h->q.targets);
	free(h);
}

enum handler_state
handler_state(const struct handler_run *h)
{
	/* A cancelled command is done once it is gone. */
	return h->state == HANDLER_CANCELLED && h->pid > 0 ? HANDLER_RUNNING : h->state;
}

const struct uuid *
handler_job(const struct handler_run *h)
{
	return &h->q.id;
}

char *
handler_stats_json(const struct handler_run *h)
{
	struct json_object	*o = json_object_new_object();
	char			*s;

	json_object_object_add(o, "progress", json_object_new_int(h->progress));
	json_object_object_add(o, "progressMessage", json_object_new_string(h->message));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

char *
handler_result_json(const struct handler_run *h)
{
	struct json_object	*r;
	char			*s;

	if (h->state != HANDLER_COMPLETED || (r = handler_output_json(&h->o)) == NULL)
		return NULL;
	s = strdup(json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(r);
	return s;
}

char *
handler_error_json(const struct handler_run *h)
{
	struct json_object	*o;
	char			*s;

	if (h->error[0] == '\0')
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "code", json_object_new_string("HANDLER_FAILED"));
	json_object_object_add(o, "message", json_object_new_string(h->error));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

const char *
handler_error_text(const struct handler_run *h)
{
	return h->error;
}

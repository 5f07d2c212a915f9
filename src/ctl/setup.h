/* setup.h: `scrapeqctl setup`, the local MariaDB's database, user, password file and schema. */
#ifndef SCRAPEQ_CTL_SETUP_H
#define SCRAPEQ_CTL_SETUP_H

#include <stdio.h>

/* What setup_run ends with; scrapeqctl turns each into its usual exit status. */
enum setup_err {
	SETUP_OK = 0,
	SETUP_FAIL,		/* could not be done: not root, no socket, the server refused */
	SETUP_CONFIG		/* the config file is wrong, or names what setup cannot use */
};

/* Hex digits setup writes to a new password file, and what it accepts in one it finds. */
#define SETUP_PASSWORD_BYTES	24
#define SETUP_PASSWORD_HEX_MIN	32
#define SETUP_PASSWORD_HEX_MAX	128

/*
 * Run as root: reads the config at cfgpath (its secret files are not needed), connects
 * as MariaDB's root over [database] socket (unix_socket authentication, no password),
 * creates database [database] name and user 'user'@'localhost' if missing, sets the
 * user's password to the one in [database] password_file (written first with a new
 * random hex password when the file is missing; reused when present), grants ALL on
 * the database, then applies the migrations in sqldir as that user. Idempotent.
 * Progress and the next steps go to out, errors to stderr.
 * Refuses: not root; a name or user that is not 1..63 letters, digits and '_'; an
 * empty socket or password_file; an existing password file that is not hex.
 */
enum setup_err setup_run(const char *cfgpath, const char *sqldir, FILE *out);

#endif

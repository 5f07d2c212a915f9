/* auth.h: passwords (Argon2id), API tokens, JWT access tokens and refresh tokens. */
#ifndef SCRAPEQ_AUTH_H
#define SCRAPEQ_AUTH_H

#include <stddef.h>
#include <time.h>
#include "auth_gate.h"
#include "config.h"
#include "db.h"
#include "err.h"

enum auth_kind { AUTH_NONE, AUTH_TOKEN, AUTH_SESSION };

/*
 * Whether the user's row has confirmed a principal's revocation generation: at once
 * (auth_authenticate), or by the request's main read (auth_authenticate_deferred, then
 * auth_confirm); AUTH_STALE when that read found the generation moved.
 */
enum auth_confirm { AUTH_CONFIRMED, AUTH_PENDING, AUTH_STALE };

/* Who is calling: an API token's user (AUTH_TOKEN) or a logged-in user (AUTH_SESSION). */
struct principal {
	long long		 user_id;
	enum auth_kind		 kind;
	int			 is_admin;	/* 0 until confirmed */
	enum auth_confirm	 confirm;
	long long		 gen;		/* the generation the credential carries */
};

#define AUTH_PWHASH_MAX   128   /* >= crypto_pwhash_STRBYTES */
#define AUTH_TOKEN_STRLEN 67    /* "sq_" + 64 hex of 32 random bytes */
#define AUTH_JWT_MAX      1024
#define AUTH_JWT_KEY_MIN  32    /* bytes of HS256 secret below which no JWT is issued or accepted */

/* Hashes password with Argon2id (libsodium's interactive limits) into out. Returns 0 or -1. */
int	auth_password_hash(const char *password, char out[AUTH_PWHASH_MAX]);
/* Returns 1 when password matches hash, 0 otherwise (constant-time compare in libsodium). */
int	auth_password_verify(const char *hash, const char *password);

/* Writes a new random API token ("sq_" + 64 hex) and its NUL into out (>= AUTH_TOKEN_STRLEN + 1). */
void	auth_token_generate(char *out);
/* SHA-256 of the token text: what api_tokens.token_hash stores (the token itself never is). */
void	auth_token_hash(const char *token, size_t len, unsigned char out[32]);

/*
 * Creates an API token for user_id named name; writes the token (shown once) to out.
 * Returns SQ_OK or a db error.
 */
enum sq_err auth_token_create(struct db *db, long long user_id, const char *name,
	    char out[AUTH_TOKEN_STRLEN + 1], struct sq_error *e);

/*
 * Per-thread cache of recently verified API tokens (no locks: one per thread): a
 * fixed table keyed by token hash, each entry kept for ttl_seconds with the user's
 * revocation generation it was looked up under. A hit still reads the user's row
 * (auth_authenticate), so a revocation counts from the next request; the cache saves
 * the token's own lookup. ttl 0 disables caching.
 * Returns NULL only when out of memory; the caller frees with auth_cache_free (NULL ok).
 */
struct auth_cache;
struct auth_cache *auth_cache_new(unsigned ttl_seconds);
void	auth_cache_free(struct auth_cache *);

/*
 * Resolves an Authorization header value ("Bearer <jwt>" or "Bearer <api token>")
 * into *who. A JWT is verified locally (HS256 with c->jwt_key, exp checked, typ
 * "access"); an API token is looked up by hash (through cache when not NULL) and must
 * not be revoked. Either way the user's row is read by primary key (one read; a cache
 * miss reads it in the token's lookup instead): its auth_gen must be the one the JWT
 * carries or the cached token was seen with, and who->is_admin is its is_admin.
 * Returns SQ_OK, SQ_ERR_UNAUTHORIZED (missing, malformed, unknown, expired or revoked,
 * with a client-safe message), or SQ_ERR_DB_DOWN / SQ_ERR_DB.
 */
enum sq_err auth_authenticate(const struct config *c, struct db *db, struct auth_cache *cache,
	    const char *header, struct principal *who, struct sq_error *e);

/*
 * auth_authenticate without the user's row when the credential needs no lookup (a
 * verified JWT, a cached API token): who->confirm is then AUTH_PENDING, who->gen the
 * generation to confirm and who->is_admin 0, and the caller's next read of the user's
 * row must go through auth_confirm before anything is answered. A token lookup (cache
 * miss) reads the row anyway and returns who confirmed. Same errors as auth_authenticate.
 */
enum sq_err auth_authenticate_deferred(const struct config *c, struct db *db,
	    struct auth_cache *cache, const char *header, struct principal *who,
	    struct sq_error *e);

/*
 * The revocation rule, once: the user's row as a read found it (found 0: no such user;
 * gen its auth_gen, is_admin its is_admin) against who. A pending principal whose
 * generation matches becomes AUTH_CONFIRMED with is_admin from the row; one whose
 * generation moved (or whose user is gone) becomes AUTH_STALE and gets
 * SQ_ERR_UNAUTHORIZED (a cached API token may still be good under the new generation:
 * authenticating again in full decides). A confirmed principal is left as it is.
 */
enum sq_err auth_confirm(struct principal *who, int found, long long gen, int is_admin,
	    struct sq_error *e);

/* The pair of tokens /auth/login and /auth/refresh answer with. */
struct auth_session {
	char	 access_token[AUTH_JWT_MAX];
	char	 refresh_token[AUTH_TOKEN_STRLEN + 1];
	long	 expires_in;          /* seconds the access token lives */
	unsigned retry_after;         /* with SQ_ERR_THROTTLED or SQ_ERR_BUSY: seconds, for Retry-After */
};

/* A password login as the client sent it; client_addr is nginx's REMOTE_ADDR (NULL ok). */
struct auth_login_req {
	const char	*username;
	const char	*password;
	const char	*client_addr;
};

/*
 * Checks a password login and issues a session that starts a new refresh token
 * family. First the throttle (login_throttle.h), before any hash: SQ_ERR_THROTTLED
 * with out->retry_after. Then the user's row and Argon2id under gate (NULL: no
 * bound): SQ_ERR_BUSY with out->retry_after when no slot came free in time. An
 * unknown user and a wrong password get the same message after the same work, and
 * count as a failure of the user name and the address; a success resets the user
 * name's count. Returns SQ_OK, SQ_ERR_UNAUTHORIZED, SQ_ERR_THROTTLED, SQ_ERR_BUSY,
 * SQ_ERR_INTERNAL when no JWT key is configured, or a db error.
 */
enum sq_err auth_login(const struct config *c, struct db *db, struct auth_gate *gate,
	    const struct auth_login_req *in, struct auth_session *out, struct sq_error *e);

/*
 * Exchanges a valid, unexpired, unrevoked refresh token for a new session of its
 * family; the old refresh token is spent in the same transaction (rotation). A token
 * spent by an earlier rotation, presented again, revokes its whole family (and, when
 * the family was still live, ends the user's access tokens by moving its generation
 * on) and is SQ_ERR_UNAUTHORIZED, as is any unknown, expired or revoked token.
 */
enum sq_err auth_refresh(const struct config *c, struct db *db, const char *refresh_token,
	    struct auth_session *out, struct sq_error *e);

/*
 * Logs a session out: revokes every refresh token of refresh_token's family, so no
 * new access token comes from it (the access tokens it gave lapse within
 * access_token_ttl). SQ_OK also for a token unknown, expired or already revoked: the
 * session is over either way. SQ_ERR_UNAUTHORIZED only for a malformed token.
 */
enum sq_err auth_logout(struct db *db, const char *refresh_token, struct sq_error *e);

/*
 * Finds the token in an Authorization header value: "Bearer" (any case), one or more
 * spaces or tabs, the token; surrounding blanks are ignored. Sets *tok (pointing into
 * header) and *len and returns 0; returns -1 when there is no bearer token or the
 * header is longer than SQ_AUTH_HEADER_MAX. The token itself is not checked here.
 */
int	auth_bearer(const char *header, const char **tok, size_t *len);

/*
 * Issues an HS256 access JWT for user_id with claims sub (decimal string), typ
 * "access", adm (0 or 1, for the client's information: the server reads is_admin per
 * request), gen (the user's revocation generation, >= 0), iat = now, exp = now + ttl
 * and a random jti; writes it and its NUL into out. Returns 0, or -1 (key shorter than
 * AUTH_JWT_KEY_MIN, bad argument, no memory). Pure: no database.
 */
int	auth_jwt_issue(const unsigned char *key, size_t keylen, long long user_id,
	    int is_admin, long long gen, time_t now, unsigned ttl, char out[AUTH_JWT_MAX]);

/*
 * Verifies an access JWT: three parts, an HMAC-SHA256 signature by key (compared in
 * constant time before libjwt parses anything), header alg HS256 (never "none" or
 * another algorithm), typ "access", exp > now, sub a positive integer, adm 0 or 1,
 * gen an integer >= 0. Fills *who (kind AUTH_SESSION) and *gen and returns 0; returns
 * -1 otherwise. Pure: the caller checks gen against the user's row.
 */
int	auth_jwt_verify(const unsigned char *key, size_t keylen, const char *token,
	    time_t now, struct principal *who, long long *gen);

/*
 * Revokes every refresh token and API token of user_id and moves its revocation
 * generation on, in one transaction: from the next request, in every worker and on
 * every API host, its access JWTs and its cached API tokens are refused too.
 * Returns SQ_OK or a db error.
 */
enum sq_err auth_revoke_user(struct db *db, long long user_id, struct sq_error *e);

/*
 * Makes user_id a server administrator or not. Counts from the user's next request
 * (is_admin is read per request, never taken from a token); its sessions stay.
 * Returns SQ_OK or a db error.
 */
enum sq_err auth_set_admin(struct db *db, long long user_id, int is_admin, struct sq_error *e);

#endif

/* auth.h: passwords (Argon2id), API tokens, JWT access tokens and refresh tokens. */
#ifndef SCRAPEQ_AUTH_H
#define SCRAPEQ_AUTH_H

#include <stddef.h>
#include <time.h>
#include "config.h"
#include "db.h"
#include "err.h"

enum auth_kind { AUTH_NONE, AUTH_TOKEN, AUTH_SESSION };

/* Who is calling: an API token's user (AUTH_TOKEN) or a logged-in user (AUTH_SESSION). */
struct principal {
	long long	 user_id;
	enum auth_kind	 kind;
	int		 is_admin;
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
 * fixed table keyed by token hash, each entry trusted for ttl_seconds, so a revoked
 * token can keep working that long in a worker that saw it. ttl 0 disables caching.
 * Returns NULL only when out of memory; the caller frees with auth_cache_free (NULL ok).
 */
struct auth_cache;
struct auth_cache *auth_cache_new(unsigned ttl_seconds);
void	auth_cache_free(struct auth_cache *);

/*
 * Resolves an Authorization header value ("Bearer <jwt>" or "Bearer <api token>")
 * into *who. A JWT is verified locally (HS256 with c->jwt_key, exp checked, typ
 * "access"); an API token is looked up by hash (through cache when not NULL) and must
 * not be revoked. Returns SQ_OK, SQ_ERR_UNAUTHORIZED (missing, malformed, unknown,
 * expired or revoked, with a client-safe message), or SQ_ERR_DB_DOWN / SQ_ERR_DB.
 */
enum sq_err auth_authenticate(const struct config *c, struct db *db, struct auth_cache *cache,
	    const char *header, struct principal *who, struct sq_error *e);

/* The pair of tokens /auth/login and /auth/refresh answer with. */
struct auth_session {
	char	 access_token[AUTH_JWT_MAX];
	char	 refresh_token[AUTH_TOKEN_STRLEN + 1];
	long	 expires_in;          /* seconds the access token lives */
};

/*
 * Checks username/password (the same failure message and similar time whether the
 * user is unknown or the password wrong), then issues a session. Returns SQ_OK,
 * SQ_ERR_UNAUTHORIZED, SQ_ERR_INTERNAL when no JWT key is configured, or a db error.
 */
enum sq_err auth_login(const struct config *c, struct db *db, const char *username,
	    const char *password, struct auth_session *out, struct sq_error *e);

/*
 * Exchanges a valid, unexpired, unrevoked refresh token for a new session; the old
 * refresh token is revoked in the same transaction (rotation). SQ_ERR_UNAUTHORIZED otherwise.
 */
enum sq_err auth_refresh(const struct config *c, struct db *db, const char *refresh_token,
	    struct auth_session *out, struct sq_error *e);

/*
 * Finds the token in an Authorization header value: "Bearer" (any case), one or more
 * spaces or tabs, the token; surrounding blanks are ignored. Sets *tok (pointing into
 * header) and *len and returns 0; returns -1 when there is no bearer token or the
 * header is longer than SQ_AUTH_HEADER_MAX. The token itself is not checked here.
 */
int	auth_bearer(const char *header, const char **tok, size_t *len);

/*
 * Issues an HS256 access JWT for user_id with claims sub (decimal string), typ
 * "access", adm (0 or 1), iat = now, exp = now + ttl and a random jti; writes it and
 * its NUL into out. Returns 0, or -1 (key shorter than AUTH_JWT_KEY_MIN, bad argument,
 * no memory). Pure: no database.
 */
int	auth_jwt_issue(const unsigned char *key, size_t keylen, long long user_id,
	    int is_admin, time_t now, unsigned ttl, char out[AUTH_JWT_MAX]);

/*
 * Verifies an access JWT: three parts, an HMAC-SHA256 signature by key (compared in
 * constant time before libjwt parses anything), header alg HS256 (never "none" or
 * another algorithm), typ "access", exp > now, sub a positive integer, adm 0 or 1.
 * Fills *who (kind AUTH_SESSION) and returns 0; returns -1 otherwise. Pure.
 */
int	auth_jwt_verify(const unsigned char *key, size_t keylen, const char *token,
	    time_t now, struct principal *who);

/*
 * Revokes every refresh token and API token of user_id, in one transaction. Access
 * JWTs already issued stay valid until their exp; API tokens until worker caches
 * expire (api token_cache_seconds). Returns SQ_OK or a db error.
 */
enum sq_err auth_revoke_user(struct db *db, long long user_id, struct sq_error *e);

#endif

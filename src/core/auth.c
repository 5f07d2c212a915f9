/* auth.c: Argon2id passwords, hashed API tokens with a per-thread cache, HS256 access JWTs, refresh token families, revocation generations. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jwt.h>
#include <sodium.h>

#include "scrapeq/auth.h"
#include "scrapeq/login_throttle.h"
#include "scrapeq/limits.h"
#include "scrapeq/log.h"
#include "scrapeq/query.h"

_Static_assert(AUTH_PWHASH_MAX >= crypto_pwhash_STRBYTES, "AUTH_PWHASH_MAX too small");
_Static_assert(AUTH_TOKEN_STRLEN == 3 + 64, "token is sq_ + 64 hex");

#define MSG_MISSING	"Missing bearer token"
#define MSG_INVALID	"Invalid or expired token"
#define MSG_LOGIN	"Invalid username or password"
#define MSG_NOLOGIN	"Login is not configured on this server"
#define MSG_THROTTLED	"Too many failed logins; try again in %u seconds"
#define MSG_BUSY	"Too many logins at once; try again shortly"

#define TOKEN_PREFIX	"sq_"
#define CACHE_SLOTS	256	/* direct-mapped by the first bytes of the token hash */
#define SIG_B64_LEN	43	/* base64url of 32 bytes, no padding */
#define FAMILY_LEN	16	/* refresh_tokens.family_id: random bytes */

/*
 * An Argon2id hash of a random password nobody knows, made with the same limits as
 * real ones: a login for an unknown user verifies against it, so it costs the same.
 */
static const char dummy_hash[] =
    "$argon2id$v=19$m=65536,t=2,p=1$ZiCUxdat3FwTGhFyzjjYfg$"
    "ZfUqfJNF9JkdpcuZy91J6mFgXkME1ERShPARCBc+ldk";

struct cache_slot {
	unsigned char	 hash[32];
	long long	 user_id;
	long long	 gen;		/* users.auth_gen when the token was looked up */
	time_t		 until;		/* monotonic seconds; 0: empty */
};

struct auth_cache {
	unsigned		 ttl;
	struct cache_slot	 slot[CACHE_SLOTS];
};

static int
sodium_ready(void)
{
	return sodium_init() >= 0;
}

int
auth_password_hash(const char *password, char out[AUTH_PWHASH_MAX])
{
	size_t	 n;

	if (password == NULL || !sodium_ready())
		return -1;
	n = strnlen(password, SQ_PASSWORD_MAX + 1);
	if (n < SQ_PASSWORD_MIN || n > SQ_PASSWORD_MAX)
		return -1;
	if (crypto_pwhash_str_alg(out, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -1;
	return 0;
}

int
auth_password_verify(const char *hash, const char *password)
{
	size_t	 n;

	if (hash == NULL || password == NULL || !sodium_ready())
		return 0;
	if (strnlen(hash, AUTH_PWHASH_MAX) >= AUTH_PWHASH_MAX)
		return 0;
	n = strnlen(password, SQ_PASSWORD_MAX + 1);
	if (n > SQ_PASSWORD_MAX)
		return 0;
	return crypto_pwhash_str_verify(hash, password, n) == 0;
}

void
auth_token_generate(char *out)
{
	unsigned char	 raw[32];

	/* Without a working RNG there is no safe token to hand out. */
	if (!sodium_ready())
		abort();
	randombytes_buf(raw, sizeof raw);
	memcpy(out, TOKEN_PREFIX, 3);
	sodium_bin2hex(out + 3, 64 + 1, raw, sizeof raw);
	sodium_memzero(raw, sizeof raw);
}

void
auth_token_hash(const char *token, size_t len, unsigned char out[32])
{
	crypto_hash_sha256(out, (const unsigned char *)token, len);
}

/* Our token shape exactly: "sq_" and 64 lower-case hex digits. */
static int
token_wellformed(const char *t, size_t len)
{
	size_t	 i;

	if (t == NULL || len != AUTH_TOKEN_STRLEN || memcmp(t, TOKEN_PREFIX, 3) != 0)
		return 0;
	for (i = 3; i < len; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
			return 0;
	return 1;
}

enum sq_err
auth_token_create(struct db *db, long long user_id, const char *name,
    char out[AUTH_TOKEN_STRLEN + 1], struct sq_error *e)
{
	unsigned char	 h[32];
	enum sq_err	 rc;

	if (name == NULL)
		name = "";
	if (strnlen(name, SQ_NAME_MAX + 1) > SQ_NAME_MAX)
		return sq_fail(e, SQ_ERR_INVALID, "Token name must be at most %d bytes",
		    SQ_NAME_MAX);
	auth_token_generate(out);
	auth_token_hash(out, AUTH_TOKEN_STRLEN, h);
	rc = db_exec(db, "INSERT INTO api_tokens (user_id, token_hash, name) VALUES (?, ?, ?)",
	    DB_PARAMS(DB_INT(user_id), DB_STRN(h, sizeof h), DB_STR(name)), NULL);
	if (rc != SQ_OK) {
		sodium_memzero(out, AUTH_TOKEN_STRLEN + 1);
		return sq_fail(e, rc, "%s", sq_strerror(rc));
	}
	return SQ_OK;
}

struct auth_cache *
auth_cache_new(unsigned ttl_seconds)
{
	struct auth_cache	*c;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->ttl = ttl_seconds;
	return c;
}

void
auth_cache_free(struct auth_cache *c)
{
	free(c);
}

static time_t
mono_now(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return ts.tv_sec + 1;	/* never 0, which marks an empty slot */
}

static struct cache_slot *
cache_slot(struct auth_cache *c, const unsigned char h[32])
{
	return &c->slot[(h[0] | (unsigned)h[1] << 8) % CACHE_SLOTS];
}

/* The cached slot of h, or NULL. Its user and generation still need user_current. */
static struct cache_slot *
cache_get(struct auth_cache *c, const unsigned char h[32])
{
	struct cache_slot	*s;

	if (c == NULL || c->ttl == 0)
		return NULL;
	s = cache_slot(c, h);
	if (s->until == 0 || s->until <= mono_now() || sodium_memcmp(s->hash, h, 32) != 0)
		return NULL;
	return s;
}

static void
cache_put(struct auth_cache *c, const unsigned char h[32], long long user_id, long long gen)
{
	struct cache_slot	*s;

	if (c == NULL || c->ttl == 0)
		return;
	s = cache_slot(c, h);
	memcpy(s->hash, h, 32);
	s->user_id = user_id;
	s->gen = gen;
	s->until = mono_now() + (time_t)c->ttl;
}

enum sq_err
auth_confirm(struct principal *who, int found, long long gen, int is_admin, struct sq_error *e)
{
	if (who->confirm == AUTH_CONFIRMED)
		return SQ_OK;
	if (!found || gen != who->gen) {
		who->confirm = AUTH_STALE;
		who->is_admin = 0;
		return sq_fail(e, SQ_ERR_UNAUTHORIZED, MSG_INVALID);
	}
	who->confirm = AUTH_CONFIRMED;
	who->is_admin = is_admin != 0;
	return SQ_OK;
}

/*
 * The one read an authenticated request adds: the user's row by primary key. The
 * credential is trusted only if it was issued (a JWT) or looked up (a cached API
 * token) under the user's current revocation generation; is_admin comes from here,
 * never from a claim or a cache, so a demotion counts from the next request. With
 * defer, the read is left to the request's main statement (auth_confirm).
 */
static enum sq_err
user_current(struct db *db, struct principal *who, long long gen, int defer,
    struct sq_error *e)
{
	struct db_res	 res = { 0 };
	enum sq_err	 rc;

	who->gen = gen;
	who->is_admin = 0;
	who->confirm = AUTH_PENDING;
	if (defer)
		return SQ_OK;
	rc = db_exec(db, "SELECT auth_gen, is_admin FROM users WHERE id = ?",
	    DB_PARAMS(DB_INT(who->user_id)), &res);
	if (rc != SQ_OK)
		rc = sq_fail(e, rc, "%s", sq_strerror(rc));
	else
		rc = auth_confirm(who, res.nrows == 1, res.nrows == 1 ? db_int(&res, 0, 0) : 0,
		    res.nrows == 1 ? (int)db_int(&res, 0, 1) : 0, e);
	db_res_free(&res);
	return rc;
}

/* Resolves an API token through the cache, then the database. */
static enum sq_err
token_lookup(struct db *db, struct auth_cache *cache, const char *tok, size_t len,
    int defer, struct principal *who, struct sq_error *e)
{
	unsigned char		 h[32];
	struct db_res		 res = { 0 };
	struct cache_slot	*s;
	enum sq_err		 rc;

	if (!token_wellformed(tok, len))
		return sq_fail(e, SQ_ERR_UNAUTHORIZED, MSG_INVALID);
	auth_token_hash(tok, len, h);
	who->kind = AUTH_TOKEN;
	if ((s = cache_get(cache, h)) != NULL) {
		who->user_id = s->user_id;
		if ((rc = user_current(db, who, s->gen, defer, e)) != SQ_ERR_UNAUTHORIZED)
			return rc;
		/* Revoked since, or the user's generation moved: look the token up again. */
		s->until = 0;
	}
	rc = db_exec(db, "SELECT t.user_id, u.is_admin, u.auth_gen FROM api_tokens t "
	    "JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL",
	    DB_PARAMS(DB_STRN(h, sizeof h)), &res);
	if (rc != SQ_OK) {
		rc = sq_fail(e, rc, "%s", sq_strerror(rc));
		goto out;
	}
	if (res.nrows != 1) {
		rc = sq_fail(e, SQ_ERR_UNAUTHORIZED, MSG_INVALID);
		goto out;
	}
	who->user_id = db_int(&res, 0, 0);
	who->is_admin = db_int(&res, 0, 1) != 0;
	who->gen = db_int(&res, 0, 2);
	who->confirm = AUTH_CONFIRMED;
	cache_put(cache, h, who->user_id, who->gen);
out:
	db_res_free(&res);
	return rc;
}

int
auth_bearer(const char *header, const char **tok, size_t *len)
{
	size_t	 n, i, end;

	if (header == NULL)
		return -1;
	n = strnlen(header, SQ_AUTH_HEADER_MAX + 1);
	if (n > SQ_AUTH_HEADER_MAX)
		return -1;
	for (i = 0; i < n && (header[i] == ' ' || header[i] == '\t'); i++)
		continue;
	if (n - i < 7 || strncasecmp(header + i, "Bearer", 6) != 0)
		return -1;
	i += 6;
	if (header[i] != ' ' && header[i] != '\t')
		return -1;
	while (i < n && (header[i] == ' ' || header[i] == '\t'))
		i++;
	for (end = n; end > i && (header[end - 1] == ' ' || header[end - 1] == '\t'); end--)
		continue;
	if (end == i)
		return -1;
	*tok = header + i;
	*len = end - i;
	return 0;
}

static size_t
count_dots(const char *s, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i < len; i++)
		n += s[i] == '.';
	return n;
}

static enum sq_err
authenticate(const struct config *c, struct db *db, struct auth_cache *cache,
    const char *header, int defer, struct principal *who, struct sq_error *e)
{
	char		 jwt[AUTH_JWT_MAX];
	const char	*tok;
	size_t		 len;
	long long	 gen;

	who->user_id = 0;
	who->kind = AUTH_NONE;
	who->is_admin = 0;
	who->confirm = AUTH_CONFIRMED;
	who->gen = 0;
	if (header == NULL || header[0] == '\0')
		return sq_fail(e, SQ_ERR_UNAUTHORIZED, MSG_MISSING);
	if (strnlen(header, SQ_AUTH_HEADER_MAX + 1) > SQ_AUTH_HEADER_MAX)
		return sq_fail(e, SQ_ERR_UNAUTHORIZED, MSG_INVALID);
	if (auth_bearer(header, &tok, &len) != 0)
		return sq_fail(e, SQ_ERR_UNAUTHORIZED, MSG_MISSING);
	if (count_dots(tok, len) != 2)
		return token_lookup(db, cache, tok, len, defer, who, e);
	if (len >= sizeof jwt)
		return sq_fail(e, SQ_ERR_UNAUTHORIZED, MSG_INVALID);
	memcpy(jwt, tok, len);
	jwt[len] = '\0';
	if (auth_jwt_verify(c->jwt_key, c->jwt_key_len, jwt, time(NULL), who, &gen) != 0) {
		who->kind = AUTH_NONE;
		return sq_fail(e, SQ_ERR_UNAUTHORIZED, MSG_INVALID);
	}
	return user_current(db, who, gen, defer, e);
}

enum sq_err
auth_authenticate(const struct config *c, struct db *db, struct auth_cache *cache,
    const char *header, struct principal *who, struct sq_error *e)
{
	return authenticate(c, db, cache, header, 0, who, e);
}

enum sq_err
auth_authenticate_deferred(const struct config *c, struct db *db, struct auth_cache *cache,
    const char *header, struct principal *who, struct sq_error *e)
{
	return authenticate(c, db, cache, header, 1, who, e);
}

static int
key_usable(const unsigned char *key, size_t keylen)
{
	return key != NULL && keylen >= AUTH_JWT_KEY_MIN && keylen <= INT_MAX;
}

int
auth_jwt_issue(const unsigned char *key, size_t keylen, long long user_id,
    int is_admin, long long gen, time_t now, unsigned ttl, char out[AUTH_JWT_MAX])
{
	jwt_t		*jwt = NULL;
	char		*s = NULL;
	char		 sub[24], jti[33];
	unsigned char	 rnd[16];
	size_t		 n;
	int		 rc = -1;

	if (!key_usable(key, keylen) || user_id <= 0 || gen < 0 || gen > LONG_MAX || ttl == 0 ||
	    !sodium_ready())
		return -1;
	snprintf(sub, sizeof sub, "%lld", user_id);
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(jti, sizeof jti, rnd, sizeof rnd);
	if (jwt_new(&jwt) != 0)
		goto out;
	if (jwt_add_grant(jwt, "sub", sub) != 0 ||
	    jwt_add_grant(jwt, "typ", "access") != 0 ||
	    jwt_add_grant_int(jwt, "adm", is_admin ? 1 : 0) != 0 ||
	    jwt_add_grant_int(jwt, "gen", (long)gen) != 0 ||
	    jwt_add_grant_int(jwt, "iat", (long)now) != 0 ||
	    jwt_add_grant_int(jwt, "exp", (long)now + (long)ttl) != 0 ||
	    jwt_add_grant(jwt, "jti", jti) != 0)
		goto out;
	if (jwt_set_alg(jwt, JWT_ALG_HS256, key, (int)keylen) != 0)
		goto out;
	if ((s = jwt_encode_str(jwt)) == NULL)
		goto out;
	if ((n = strlen(s)) >= AUTH_JWT_MAX)
		goto out;
	memcpy(out, s, n + 1);
	rc = 0;
out:
	free(s);
	jwt_free(jwt);
	return rc;
}

/*
 * Checks the HS256 signature ourselves, in constant time, before libjwt sees the
 * token: libjwt 1.x compares signatures with strcmp, which leaks timing.
 */
static int
jwt_signature_ok(const unsigned char *key, size_t keylen, const char *tok, size_t n)
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 mac[crypto_auth_hmacsha256_BYTES];
	char				 b64[SIG_B64_LEN + 1];
	const char			*d1, *d2;
	int				 ok;

	if ((d1 = memchr(tok, '.', n)) == NULL)
		return 0;
	if ((d2 = memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - tok))) == NULL)
		return 0;
	if (n - (size_t)(d2 + 1 - tok) != SIG_B64_LEN)
		return 0;
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)tok, (size_t)(d2 - tok));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(b64, sizeof b64, mac, sizeof mac,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	ok = sodium_memcmp(b64, d2 + 1, SIG_B64_LEN) == 0;
	sodium_memzero(&st, sizeof st);
	sodium_memzero(mac, sizeof mac);
	return ok;
}

/*
 * An integer claim read from its JSON text: libjwt 1.10's jwt_get_grant_int takes a
 * string, true, null, a real or an object as 0 without an error, so "adm":"1" passed
 * as adm 0. Returns 0 with *out, or -1 when the claim is missing or not an integer.
 */
static int
claim_int(jwt_t *jwt, const char *name, long long *out)
{
	char	*s;
	int	 rc;

	if ((s = jwt_get_grants_json(jwt, name)) == NULL)
		return -1;
	rc = parse_int_range(s, LLONG_MIN, LLONG_MAX, out);
	free(s);
	return rc;
}

int
auth_jwt_verify(const unsigned char *key, size_t keylen, const char *token,
    time_t now, struct principal *who, long long *gen)
{
	jwt_t		*jwt = NULL;
	const char	*typ, *sub;
	long long	 exp, adm, g, uid;
	size_t		 n;
	int		 rc = -1;

	if (!key_usable(key, keylen) || token == NULL || !sodium_ready())
		return -1;
	n = strnlen(token, AUTH_JWT_MAX);
	if (n >= AUTH_JWT_MAX || count_dots(token, n) != 2)
		return -1;
	if (!jwt_signature_ok(key, keylen, token, n))
		return -1;
	if (jwt_decode(&jwt, token, key, (int)keylen) != 0)
		goto out;
	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		goto out;
	if ((typ = jwt_get_grant(jwt, "typ")) == NULL || strcmp(typ, "access") != 0)
		goto out;
	if (claim_int(jwt, "exp", &exp) != 0 || exp <= (long long)now)
		goto out;
	if (claim_int(jwt, "adm", &adm) != 0 || (adm != 0 && adm != 1))
		goto out;
	if (claim_int(jwt, "gen", &g) != 0 || g < 0)
		goto out;
	if ((sub = jwt_get_grant(jwt, "sub")) == NULL ||
	    parse_int_range(sub, 1, LLONG_MAX, &uid) != 0)
		goto out;
	who->user_id = uid;
	who->is_admin = (int)adm;
	who->kind = AUTH_SESSION;
	*gen = g;
	rc = 0;
out:
	jwt_free(jwt);
	return rc;
}

/* Stores a new refresh token of family for user_id; writes the token (shown once) into out. */
static enum sq_err
refresh_insert(struct db *db, long long user_id, const unsigned char family[FAMILY_LEN],
    unsigned ttl, char out[AUTH_TOKEN_STRLEN + 1])
{
	unsigned char	 h[32];

	auth_token_generate(out);
	auth_token_hash(out, AUTH_TOKEN_STRLEN, h);
	return db_exec(db, "INSERT INTO refresh_tokens (user_id, token_hash, family_id, expires_at) "
	    "VALUES (?, ?, ?, NOW(6) + INTERVAL ? SECOND)", DB_PARAMS(DB_INT(user_id),
	    DB_STRN(h, sizeof h), DB_STRN(family, FAMILY_LEN), DB_INT(ttl)), NULL);
}

/* Who a session is for: the user, its rights and generation now, and its refresh family. */
struct session_for {
	long long	 user_id;
	int		 is_admin;
	long long	 gen;
	unsigned char	 family[FAMILY_LEN];
};

static enum sq_err
session_issue(const struct config *c, struct db *db, const struct session_for *f,
    struct auth_session *out, struct sq_error *e)
{
	enum sq_err	 rc;

	if (auth_jwt_issue(c->jwt_key, c->jwt_key_len, f->user_id, f->is_admin, f->gen,
	    time(NULL), c->access_token_ttl, out->access_token) != 0) {
		log_err("auth: cannot issue an access token for user %lld", f->user_id);
		return sq_fail(e, SQ_ERR_INTERNAL, "%s", sq_strerror(SQ_ERR_INTERNAL));
	}
	if ((rc = refresh_insert(db, f->user_id, f->family, c->refresh_token_ttl,
	    out->refresh_token)) != SQ_OK)
		return sq_fail(e, rc, "%s", sq_strerror(rc));
	out->expires_in = (long)c->access_token_ttl;
	return SQ_OK;
}

static int
login_configured(const struct config *c)
{
	if (key_usable(c->jwt_key, c->jwt_key_len))
		return 1;
	log_err("auth: login refused: [auth] jwt_key_file is not set or shorter than %d bytes",
	    AUTH_JWT_KEY_MIN);
	return 0;
}

/* Argon2id under the worker's gate: 1 match, 0 no match, -1 no slot came free in time. */
static int
verify_gated(struct auth_gate *gate, const char *hash, const char *password)
{
	int	 ok;

	if (auth_gate_enter(gate) != 0)
		return -1;
	ok = auth_password_verify(hash, password);
	auth_gate_leave(gate);
	return ok;
}

/*
 * The password check proper, after throttling: the user's row, then Argon2id (an
 * unknown user costs the same, against dummy_hash). Fills *f on a match.
 */
static enum sq_err
login_check(struct db *db, struct auth_gate *gate, const char *username, size_t ulen,
    const char *password, struct session_for *f, struct sq_error *e)
{
	struct db_res	 res = { 0 };
	const char	*hash = NULL;
	enum sq_err	 rc;
	int		 ok;

	rc = db_exec(db, "SELECT id, password_hash, is_admin, auth_gen FROM users WHERE username = ?",
	    DB_PARAMS(DB_STRN(username, ulen)), &res);
	if (rc != SQ_OK) {
		rc = sq_fail(e, rc, "%s", sq_strerror(rc));
		goto out;
	}
	if (res.nrows == 1 && (hash = db_str(&res, 0, 1)) != NULL &&
	    strncmp(hash, "$argon2id$", 10) != 0)
		hash = NULL;
	if ((ok = verify_gated(gate, hash != NULL ? hash : dummy_hash, password)) == -1) {
		rc = sq_fail(e, SQ_ERR_BUSY, MSG_BUSY);
		goto out;
	}
	if (hash == NULL || !ok) {
		rc = sq_fail(e, SQ_ERR_UNAUTHORIZED, MSG_LOGIN);
		goto out;
	}
	f->user_id = db_int(&res, 0, 0);
	f->is_admin = db_int(&res, 0, 2) != 0;
	f->gen = db_int(&res, 0, 3);
	randombytes_buf(f->family, sizeof f->family);
out:
	db_res_free(&res);
	return rc;
}

/*
 * Deletes the user's login sessions whose every refresh token has expired: none of
 * them can be refreshed, and a reuse among them would revoke nothing, so every answer
 * stays as it was (401). Done at each login, on the user's own rows (by index), so a
 * user's dead sessions never pile up; a failure is logged and the login goes on.
 */
static void
sessions_purge(struct db *db, long long user_id)
{
	enum sq_err rc;

	rc = db_exec(db, "DELETE r FROM refresh_tokens r JOIN (SELECT family_id FROM "
	    "refresh_tokens WHERE user_id = ? GROUP BY family_id HAVING MAX(expires_at) < "
	    "NOW(6)) d ON d.family_id = r.family_id",
	    DB_PARAMS(DB_INT(user_id)), NULL);
	if (rc != SQ_OK)
		log_warn("auth: cannot delete user %lld's expired sessions: %s", user_id,
		    sq_strerror(rc));
}

enum sq_err
auth_login(const struct config *c, struct db *db, struct auth_gate *gate,
    const struct auth_login_req *in, struct auth_session *out, struct sq_error *e)
{
	char			 addr[SQ_LOGIN_SUBJECT_MAX + 1];
	struct session_for	 f;
	size_t			 ulen;
	unsigned		 wait = 0;
	enum sq_err		 rc;

	memset(out, 0, sizeof *out);
	if (!login_configured(c))
		return sq_fail(e, SQ_ERR_INTERNAL, MSG_NOLOGIN);
	if (in->username == NULL || in->password == NULL || !sodium_ready())
		return sq_fail(e, SQ_ERR_UNAUTHORIZED, MSG_LOGIN);
	ulen = strnlen(in->username, SQ_USERNAME_MAX + 1);
	if (ulen == 0 || ulen > SQ_USERNAME_MAX ||
	    strnlen(in->password, SQ_PASSWORD_MAX + 1) > SQ_PASSWORD_MAX)
		return sq_fail(e, SQ_ERR_UNAUTHORIZED, MSG_LOGIN);
	login_addr_key(in->client_addr, addr);
	/* Decided before any hash is computed: a refused guess costs a row read. */
	if ((rc = login_throttle_check(db, c, in->username, addr, &wait, e)) != SQ_OK)
		return rc;
	if (wait > 0) {
		out->retry_after = wait;
		return sq_fail(e, SQ_ERR_THROTTLED, MSG_THROTTLED, wait);
	}
	rc = login_check(db, gate, in->username, ulen, in->password, &f, e);
	if (rc == SQ_ERR_UNAUTHORIZED)
		login_throttle_fail(db, c, in->username, addr);
	else if (rc == SQ_OK) {
		login_throttle_success(db, in->username);
		sessions_purge(db, f.user_id);
		rc = session_issue(c, db, &f, out, e);
	}
	if (rc != SQ_OK) {
		sodium_memzero(out, sizeof *out);
		if (rc == SQ_ERR_BUSY)
			out->retry_after = SQ_LOGIN_BUSY_RETRY_SECONDS;
	}
	return rc;
}

/* What the refresh token presented turned out to be. */
enum refresh_state { REFRESH_LIVE, REFRESH_DEAD, REFRESH_REUSED };

/*
 * Inside the caller's transaction: locks the refresh token with hash h and tells what
 * it is. A live one is spent (rotated_at and revoked_at set) and *f filled for its
 * successor; one spent by an earlier rotation is REFRESH_REUSED with f->family and
 * f->user_id set; unknown, expired or revoked otherwise is REFRESH_DEAD. The row lock
 * makes two refreshes of one token serialise: the second sees it rotated.
 */
static enum sq_err
refresh_consume(struct db *db, const unsigned char h[32], struct session_for *f,
    enum refresh_state *st)
{
	struct db_res	 res = { 0 };
	const char	*fam;
	enum sq_err	 rc;

	*st = REFRESH_DEAD;
	rc = db_exec(db, "SELECT r.id, r.user_id, r.family_id, r.rotated_at IS NOT NULL, "
	    "r.revoked_at IS NULL AND r.expires_at > NOW(6), u.is_admin, u.auth_gen "
	    "FROM refresh_tokens r JOIN users u ON u.id = r.user_id WHERE r.token_hash = ? "
	    "FOR UPDATE", DB_PARAMS(DB_STRN(h, 32)), &res);
	if (rc != SQ_OK || res.nrows != 1 || (fam = db_str(&res, 0, 2)) == NULL ||
	    res.len[2] != FAMILY_LEN)
		goto out;
	f->user_id = db_int(&res, 0, 1);
	memcpy(f->family, fam, FAMILY_LEN);
	if (db_int(&res, 0, 3) != 0) {
		*st = REFRESH_REUSED;
		goto out;
	}
	if (db_int(&res, 0, 4) == 0)
		goto out;
	f->is_admin = db_int(&res, 0, 5) != 0;
	f->gen = db_int(&res, 0, 6);
	rc = db_exec(db, "UPDATE refresh_tokens SET revoked_at = NOW(6), rotated_at = NOW(6) "
	    "WHERE id = ? AND revoked_at IS NULL", DB_PARAMS(DB_INT(db_int(&res, 0, 0))), NULL);
	if (rc == SQ_OK && db_affected(db) == 1)
		*st = REFRESH_LIVE;
out:
	db_res_free(&res);
	return rc;
}

/*
 * A spent refresh token came back: someone holds a copy. Revokes every token of its
 * family; if any was still live, also moves the user's generation on, which ends the
 * user's access tokens (the family's among them) at their next request: a JWT names
 * no family, and this costs no read per request. The user's other families keep
 * their refresh tokens and get new access tokens from them.
 */
static enum sq_err
family_revoke(struct db *db, const struct session_for *f)
{
	enum sq_err	 rc;

	rc = db_exec(db, "UPDATE refresh_tokens SET revoked_at = NOW(6) WHERE family_id = ? "
	    "AND revoked_at IS NULL", DB_PARAMS(DB_STRN(f->family, FAMILY_LEN)), NULL);
	if (rc != SQ_OK || db_affected(db) == 0)
		return rc;
	log_warn("auth: a rotated refresh token of user %lld was used again; its family "
	    "(%llu live tokens) and the user's access tokens are revoked", f->user_id,
	    db_affected(db));
	return db_exec(db, "UPDATE users SET auth_gen = auth_gen + 1 WHERE id = ?",
	    DB_PARAMS(DB_INT(f->user_id)), NULL);
}

enum sq_err
auth_refresh(const struct config *c, struct db *db, const char *refresh_token,
    struct auth_session *out, struct sq_error *e)
{
	struct session_for	 f;
	enum refresh_state	 st;
	unsigned char		 h[32];
	size_t			 n;
	enum sq_err		 rc;
	int			 in_tx = 0;

	memset(out, 0, sizeof *out);
	memset(&f, 0, sizeof f);
	if (!login_configured(c))
		return sq_fail(e, SQ_ERR_INTERNAL, MSG_NOLOGIN);
	n = refresh_token == NULL ? 0 : strnlen(refresh_token, AUTH_TOKEN_STRLEN + 1);
	if (!token_wellformed(refresh_token, n))
		return sq_fail(e, SQ_ERR_UNAUTHORIZED, MSG_INVALID);
	auth_token_hash(refresh_token, n, h);
	if ((rc = db_begin(db)) != SQ_OK)
		goto out;
	in_tx = 1;
	if ((rc = refresh_consume(db, h, &f, &st)) != SQ_OK)
		goto out;
	if (st == REFRESH_REUSED && (rc = family_revoke(db, &f)) != SQ_OK)
		goto out;
	if (st == REFRESH_LIVE && (rc = session_issue(c, db, &f, out, e)) != SQ_OK)
		goto out;
	/* A reuse commits its revocation, then answers 401 like any dead token. */
	if ((rc = db_commit(db)) != SQ_OK)
		goto out;
	in_tx = 0;
	if (st != REFRESH_LIVE)
		rc = sq_fail(e, SQ_ERR_UNAUTHORIZED, MSG_INVALID);
out:
	if (in_tx)
		db_rollback(db);
	if (rc != SQ_OK && rc != SQ_ERR_UNAUTHORIZED)
		rc = sq_fail(e, rc, "%s", sq_strerror(rc));
	if (rc != SQ_OK)
		sodium_memzero(out, sizeof *out);
	return rc;
}

enum sq_err
auth_logout(struct db *db, const char *refresh_token, struct sq_error *e)
{
	unsigned char	 h[32];
	size_t		 n;
	enum sq_err	 rc;

	n = refresh_token == NULL ? 0 : strnlen(refresh_token, AUTH_TOKEN_STRLEN + 1);
	if (!token_wellformed(refresh_token, n))
		return sq_fail(e, SQ_ERR_UNAUTHORIZED, MSG_INVALID);
	auth_token_hash(refresh_token, n, h);
	rc = db_exec(db, "UPDATE refresh_tokens r JOIN (SELECT family_id FROM refresh_tokens "
	    "WHERE token_hash = ?) f ON f.family_id = r.family_id SET r.revoked_at = NOW(6) "
	    "WHERE r.revoked_at IS NULL", DB_PARAMS(DB_STRN(h, 32)), NULL);
	sodium_memzero(h, sizeof(h));
	if (rc != SQ_OK)
		return sq_fail(e, rc, "%s", sq_strerror(rc));
	return SQ_OK;
}

enum sq_err
auth_revoke_user(struct db *db, long long user_id, struct sq_error *e)
{
	enum sq_err	 rc;
	int		 in_tx = 0;

	if ((rc = db_begin(db)) != SQ_OK)
		goto out;
	in_tx = 1;
	rc = db_exec(db, "UPDATE users SET auth_gen = auth_gen + 1 WHERE id = ?",
	    DB_PARAMS(DB_INT(user_id)), NULL);
	if (rc != SQ_OK)
		goto out;
	rc = db_exec(db, "UPDATE api_tokens SET revoked_at = NOW(6) WHERE user_id = ? "
	    "AND revoked_at IS NULL", DB_PARAMS(DB_INT(user_id)), NULL);
	if (rc != SQ_OK)
		goto out;
	rc = db_exec(db, "UPDATE refresh_tokens SET revoked_at = NOW(6) WHERE user_id = ? "
	    "AND revoked_at IS NULL", DB_PARAMS(DB_INT(user_id)), NULL);
	if (rc != SQ_OK)
		goto out;
	if ((rc = db_commit(db)) != SQ_OK)
		goto out;
	in_tx = 0;
out:
	if (in_tx)
		db_rollback(db);
	if (rc != SQ_OK)
		return sq_fail(e, rc, "%s", sq_strerror(rc));
	return SQ_OK;
}

enum sq_err
auth_set_admin(struct db *db, long long user_id, int is_admin, struct sq_error *e)
{
	enum sq_err	 rc;

	rc = db_exec(db, "UPDATE users SET is_admin = ? WHERE id = ?",
	    DB_PARAMS(DB_INT(is_admin ? 1 : 0), DB_INT(user_id)), NULL);
	if (rc != SQ_OK)
		return sq_fail(e, rc, "%s", sq_strerror(rc));
	return SQ_OK;
}

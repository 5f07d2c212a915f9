/* test_auth.c: passwords, token shape and hash, bearer parsing, access JWT issue/verify, the DB-free paths of auth. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jwt.h>

#include "scrapeq/auth.h"
#include "scrapeq/limits.h"
#include "tap.h"

/* One row: what names it in the failure line. */
#define CHECK(cond, what)	TAP_CHECK((cond), "%s", (what))

static const unsigned char key[] = "0123456789abcdef0123456789abcdef";	/* 32 bytes */
static const unsigned char key2[] = "fedcba9876543210fedcba9876543210";
#define KEYLEN 32
#define NOW ((time_t)1700000000)

static void
test_password(void)
{
	char	 h1[AUTH_PWHASH_MAX], h2[AUTH_PWHASH_MAX];
	char	 longpw[SQ_PASSWORD_MAX + 2];

	CHECK(auth_password_hash("correct horse battery", h1) == 0, "hash");
	CHECK(strncmp(h1, "$argon2id$v=19$m=65536,t=2,p=1$", 31) == 0, "argon2id, interactive limits");
	CHECK(auth_password_verify(h1, "correct horse battery") == 1, "right password");
	CHECK(auth_password_verify(h1, "correct horse batterx") == 0, "wrong password");
	CHECK(auth_password_verify(h1, "") == 0, "empty password");
	CHECK(auth_password_hash("correct horse battery", h2) == 0, "hash again");
	CHECK(strcmp(h1, h2) != 0, "salted: two hashes differ");
	CHECK(auth_password_verify(h2, "correct horse battery") == 1, "second hash verifies");
	CHECK(auth_password_hash("short", h2) == -1, "shorter than SQ_PASSWORD_MIN refused");
	memset(longpw, 'x', sizeof longpw - 1);
	longpw[sizeof longpw - 1] = '\0';
	CHECK(auth_password_hash(longpw, h2) == -1, "longer than SQ_PASSWORD_MAX refused");
	CHECK(auth_password_verify(h1, longpw) == 0, "over-long password never verifies");
	longpw[SQ_PASSWORD_MAX] = '\0';
	CHECK(auth_password_hash(longpw, h2) == 0, "exactly SQ_PASSWORD_MAX accepted");
	CHECK(auth_password_verify(h2, longpw) == 1, "max-length round trip");
	CHECK(auth_password_verify("not a hash", "correct horse battery") == 0, "garbage hash");
	CHECK(auth_password_verify("", "x") == 0, "empty hash");
	CHECK(auth_password_verify(NULL, "x") == 0, "NULL hash");
	CHECK(auth_password_verify(h1, NULL) == 0, "NULL password");
}

static int
token_shape_ok(const char *t)
{
	size_t	 i;

	if (strlen(t) != AUTH_TOKEN_STRLEN || strncmp(t, "sq_", 3) != 0)
		return 0;
	for (i = 3; t[i] != '\0'; i++)
		if (strchr("0123456789abcdef", t[i]) == NULL)
			return 0;
	return 1;
}

static void
test_token(void)
{
	static const unsigned char abc[32] = {	/* SHA-256("abc"), FIPS 180-2 B.1 */
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde,
		0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };
	char		 t1[AUTH_TOKEN_STRLEN + 1], t2[AUTH_TOKEN_STRLEN + 1];
	unsigned char	 h1[32], h2[32];

	auth_token_generate(t1);
	auth_token_generate(t2);
	CHECK(token_shape_ok(t1), "token is sq_ + 64 lower-case hex");
	CHECK(token_shape_ok(t2), "second token shape");
	CHECK(strcmp(t1, t2) != 0, "tokens differ");
	auth_token_hash("abc", 3, h1);
	CHECK(memcmp(h1, abc, 32) == 0, "SHA-256 test vector");
	auth_token_hash(t1, strlen(t1), h1);
	auth_token_hash(t1, strlen(t1), h2);
	CHECK(memcmp(h1, h2, 32) == 0, "hash is deterministic");
	auth_token_hash(t2, strlen(t2), h2);
	CHECK(memcmp(h1, h2, 32) != 0, "different tokens, different hashes");
}

static void
test_bearer(void)
{
	static const struct {
		const char	*header;
		const char	*token;		/* NULL: no bearer token */
	} rows[] = {
		{ "Bearer abc", "abc" },
		{ "bearer abc", "abc" },
		{ "BEARER   abc  ", "abc" },
		{ "\tBearer\tabc\t", "abc" },
		{ "Bearer a.b.c", "a.b.c" },
		{ "Bearer a b", "a b" },	/* split only; the token check refuses it */
		{ "Bearer", NULL },
		{ "Bearer ", NULL },
		{ "Bearer    ", NULL },
		{ "Bearerabc", NULL },
		{ "Bear abc", NULL },
		{ "Basic YWxhZGRpbjpvcGVuc2VzYW1l", NULL },
		{ "", NULL },
		{ "abc", NULL },
	};
	char		*big;
	const char	*tok;
	size_t		 i, len;
	int		 rc;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		tok = NULL;
		len = 0;
		rc = auth_bearer(rows[i].header, &tok, &len);
		if (rows[i].token == NULL)
			CHECK(rc == -1, rows[i].header);
		else
			CHECK(rc == 0 && len == strlen(rows[i].token) &&
			    memcmp(tok, rows[i].token, len) == 0, rows[i].header);
	}
	CHECK(auth_bearer(NULL, &tok, &len) == -1, "NULL header");
	if ((big = malloc(SQ_AUTH_HEADER_MAX + 2)) == NULL)
		abort();
	memcpy(big, "Bearer ", 7);
	memset(big + 7, 'a', SQ_AUTH_HEADER_MAX - 7);
	big[SQ_AUTH_HEADER_MAX] = '\0';
	CHECK(auth_bearer(big, &tok, &len) == 0 && len == SQ_AUTH_HEADER_MAX - 7,
	    "header of exactly SQ_AUTH_HEADER_MAX");
	big[SQ_AUTH_HEADER_MAX] = 'a';
	big[SQ_AUTH_HEADER_MAX + 1] = '\0';
	CHECK(auth_bearer(big, &tok, &len) == -1, "header over SQ_AUTH_HEADER_MAX");
	free(big);
}

/* Signs grants (a JSON object) with libjwt directly, to build tokens auth_jwt_issue never would. */
static void
craft(char *out, size_t outsz, jwt_alg_t alg, const unsigned char *k, const char *grants)
{
	jwt_t	*jwt = NULL;
	char	*s;

	out[0] = '\0';
	if (jwt_new(&jwt) != 0 || jwt_add_grants_json(jwt, grants) != 0 ||
	    jwt_set_alg(jwt, alg, alg == JWT_ALG_NONE ? NULL : k,
	    alg == JWT_ALG_NONE ? 0 : KEYLEN) != 0 || (s = jwt_encode_str(jwt)) == NULL) {
		fprintf(stderr, "craft: libjwt failed for %s\n", grants);
		abort();
	}
	snprintf(out, outsz, "%s", s);
	free(s);
	jwt_free(jwt);
}

static int
verifies(const unsigned char *k, size_t klen, const char *tok, time_t now)
{
	struct principal	 who;
	long long		 gen;

	return auth_jwt_verify(k, klen, tok, now, &who, &gen) == 0;
}

static void
test_jwt_issue(void)
{
	char			 t[AUTH_JWT_MAX], t2[AUTH_JWT_MAX];
	struct principal	 who;
	long long		 gen = -1;
	size_t			 n;

	CHECK(auth_jwt_issue(key, KEYLEN, 42, 1, 3, NOW, 900, t) == 0, "issue");
	memset(&who, 0, sizeof who);
	CHECK(auth_jwt_verify(key, KEYLEN, t, NOW, &who, &gen) == 0, "verify own token");
	CHECK(who.user_id == 42 && who.is_admin == 1 && who.kind == AUTH_SESSION && gen == 3,
	    "claims read back");
	CHECK(verifies(key, KEYLEN, t, NOW + 899), "valid one second before exp");
	CHECK(!verifies(key, KEYLEN, t, NOW + 900), "expired at exp");
	CHECK(!verifies(key, KEYLEN, t, NOW + 100000), "long expired");
	CHECK(!verifies(key2, KEYLEN, t, NOW), "wrong key");
	CHECK(!verifies(key, KEYLEN - 1, t, NOW), "key shorter than AUTH_JWT_KEY_MIN");
	CHECK(auth_jwt_issue(key, KEYLEN - 1, 42, 0, 3, NOW, 900, t2) == -1, "issue with short key");
	CHECK(auth_jwt_issue(key, KEYLEN, 0, 0, 3, NOW, 900, t2) == -1, "user id 0");
	CHECK(auth_jwt_issue(key, KEYLEN, 42, 0, 3, NOW, 0, t2) == -1, "ttl 0");
	CHECK(auth_jwt_issue(key, KEYLEN, 42, 0, -1, NOW, 900, t2) == -1, "generation -1");
	CHECK(auth_jwt_issue(key, KEYLEN, 7, 0, 3, NOW, 900, t2) == 0, "issue non-admin");
	CHECK(auth_jwt_verify(key, KEYLEN, t2, NOW, &who, &gen) == 0 && who.is_admin == 0 &&
	    who.user_id == 7, "non-admin read back");
	CHECK(auth_jwt_issue(key, KEYLEN, 7, 0, 3, NOW, 900, t) == 0 && strcmp(t, t2) != 0,
	    "jti makes tokens unique");

	/* Tampering: the last signature character, a payload character. */
	n = strlen(t);
	t[n - 1] = t[n - 1] == 'A' ? 'B' : 'A';
	CHECK(!verifies(key, KEYLEN, t, NOW), "tampered signature");
	CHECK(auth_jwt_issue(key, KEYLEN, 7, 0, 3, NOW, 900, t) == 0, "reissue");
	t[strchr(t, '.') - t + 5] ^= 1;
	CHECK(!verifies(key, KEYLEN, t, NOW), "tampered payload");
	CHECK(auth_jwt_issue(key, KEYLEN, 7, 0, 3, NOW, 900, t) == 0, "reissue");
	t[n - 1] = '\0';
	CHECK(!verifies(key, KEYLEN, t, NOW), "truncated signature");
}

/* Splices header+payload of a with the signature of b. */
static void
splice(char *out, size_t outsz, const char *a, const char *b)
{
	snprintf(out, outsz, "%.*s%s", (int)(strrchr(a, '.') - a), a, strrchr(b, '.'));
}

static void
test_jwt_refused(void)
{
	static const struct {
		const char	*what;
		jwt_alg_t	 alg;
		int		 wrong_key;
		const char	*grants;
		int		 ok;
	} rows[] = {
		{ "control: libjwt-made token with our claims", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":0,\"exp\":1700000900,\"gen\":0}", 1 },
		{ "alg none", JWT_ALG_NONE, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":1,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "HS384 with our key", JWT_ALG_HS384, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":0,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "HS512 with our key", JWT_ALG_HS512, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":0,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "other key", JWT_ALG_HS256, 1,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":0,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "typ refresh", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"refresh\",\"adm\":0,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "no typ", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"adm\":0,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "no exp", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":0,\"gen\":0}", 0 },
		{ "exp as string", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":0,\"exp\":\"1700000900\"}", 0 },
		{ "expired", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":0,\"exp\":1699999999}", 0 },
		{ "no sub", JWT_ALG_HS256, 0,
		  "{\"typ\":\"access\",\"adm\":0,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "sub 0", JWT_ALG_HS256, 0,
		  "{\"sub\":\"0\",\"typ\":\"access\",\"adm\":0,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "sub negative", JWT_ALG_HS256, 0,
		  "{\"sub\":\"-5\",\"typ\":\"access\",\"adm\":0,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "sub not a number", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5x\",\"typ\":\"access\",\"adm\":0,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "sub as integer", JWT_ALG_HS256, 0,
		  "{\"sub\":5,\"typ\":\"access\",\"adm\":0,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "sub overflows", JWT_ALG_HS256, 0,
		  "{\"sub\":\"99999999999999999999\",\"typ\":\"access\",\"adm\":0,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "adm 2", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":2,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "gen 7", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":0,\"exp\":1700000900,\"gen\":7}", 1 },
		{ "no gen", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":0,\"exp\":1700000900}", 0 },
		{ "gen negative", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":0,\"exp\":1700000900,\"gen\":-1}", 0 },
		{ "gen as string", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":0,\"exp\":1700000900,\"gen\":\"0\"}", 0 },
		{ "no adm", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"exp\":1700000900,\"gen\":0}", 0 },
		/* Found by fuzz_jwt: libjwt 1.10 reads these as adm 0, so they passed. */
		{ "adm as string", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":\"00f\",\"exp\":1700000900,\"gen\":0}", 0 },
		{ "adm \"1\"", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":\"1\",\"exp\":1700000900,\"gen\":0}", 0 },
		{ "adm true", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":true,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "adm null", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":null,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "adm 0.0", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":0.0,\"exp\":1700000900,\"gen\":0}", 0 },
		{ "adm an object", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":{},\"exp\":1700000900,\"gen\":0}", 0 },
		{ "exp real", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":0,\"exp\":1700000900.5,\"gen\":0}", 0 },
		{ "control: adm 1", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":1,\"exp\":1700000900,\"gen\":0}", 1 },
		{ "gen true", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":0,\"exp\":1700000900,\"gen\":true}", 0 },
		{ "gen real", JWT_ALG_HS256, 0,
		  "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":0,\"exp\":1700000900,\"gen\":1.5}", 0 },
	};
	char	 t[AUTH_JWT_MAX], good[AUTH_JWT_MAX], s[2 * AUTH_JWT_MAX];
	size_t	 i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		craft(t, sizeof t, rows[i].alg, rows[i].wrong_key ? key2 : key, rows[i].grants);
		CHECK(verifies(key, KEYLEN, t, NOW) == rows[i].ok, rows[i].what);
	}

	/* alg none carrying a genuine signature of other content. */
	CHECK(auth_jwt_issue(key, KEYLEN, 5, 0, 3, NOW, 900, good) == 0, "issue");
	craft(t, sizeof t, JWT_ALG_NONE, NULL,
	    "{\"sub\":\"5\",\"typ\":\"access\",\"adm\":1,\"exp\":1700000900,\"gen\":0}");
	splice(s, sizeof s, t, good);
	CHECK(!verifies(key, KEYLEN, s, NOW), "alg none with a borrowed signature");
	/* Our header and signature with an admin payload signed by someone else. */
	craft(t, sizeof t, JWT_ALG_HS256, key2,
	    "{\"sub\":\"1\",\"typ\":\"access\",\"adm\":1,\"exp\":1700000900,\"gen\":0}");
	snprintf(s, sizeof s, "%.*s%.*s%s", (int)(strchr(good, '.') - good), good,
	    (int)(strrchr(t, '.') - strchr(t, '.')), strchr(t, '.'), strrchr(good, '.'));
	CHECK(!verifies(key, KEYLEN, s, NOW), "swapped payload");
}

static void
test_jwt_garbage(void)
{
	static const char *const rows[] = {
		"", ".", "..", "...", "a.b", "a.b.c", "a.b.c.d", "a..c",
		"eyJhbGciOiJIUzI1NiJ9..", "x.y.zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
	};
	char	*big;
	size_t	 i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		CHECK(!verifies(key, KEYLEN, rows[i], NOW), rows[i]);
	CHECK(!verifies(key, KEYLEN, NULL, NOW), "NULL token");
	CHECK(!verifies(NULL, 0, "a.b.c", NOW), "NULL key");
	if ((big = malloc(AUTH_JWT_MAX + 1)) == NULL)
		abort();
	memset(big, 'a', AUTH_JWT_MAX);
	big[10] = big[20] = '.';
	big[AUTH_JWT_MAX] = '\0';
	CHECK(!verifies(key, KEYLEN, big, NOW), "token of AUTH_JWT_MAX bytes");
	free(big);
}

/* The paths of auth_authenticate, auth_login and auth_refresh that never reach the database. */
static void
test_no_db_paths(void)
{
	static struct config	 c;	/* large; zeroed */
	struct principal	 who;
	struct auth_session	 s;
	struct sq_error		 e;
	struct auth_login_req	 in = { "alice", "password1", "127.0.0.1" };
	char			 t[AUTH_JWT_MAX], h[AUTH_JWT_MAX + 16];

	memcpy(c.jwt_key, key, KEYLEN);
	c.jwt_key_len = KEYLEN;
	c.access_token_ttl = 900;
	CHECK(auth_jwt_issue(key, KEYLEN, 9, 1, 3, time(NULL), 900, t) == 0, "issue");
	snprintf(h, sizeof h, "Bearer %s", t);
	/* A good JWT goes on to read the user's row: the integration tests cover that. */
	CHECK(auth_authenticate(&c, NULL, NULL, NULL, &who, &e) == SQ_ERR_UNAUTHORIZED &&
	    strcmp(e.message, "Missing bearer token") == 0 && who.kind == AUTH_NONE, "no header");
	CHECK(auth_authenticate(&c, NULL, NULL, "Basic eDp5", &who, &e) == SQ_ERR_UNAUTHORIZED &&
	    strcmp(e.message, "Missing bearer token") == 0, "not bearer");
	CHECK(auth_authenticate(&c, NULL, NULL, "Bearer sq_nothex", &who, &e) ==
	    SQ_ERR_UNAUTHORIZED && strcmp(e.message, "Invalid or expired token") == 0,
	    "malformed API token refused before any lookup");
	t[strlen(t) - 2] ^= 1;
	snprintf(h, sizeof h, "Bearer %s", t);
	CHECK(auth_authenticate(&c, NULL, NULL, h, &who, &e) == SQ_ERR_UNAUTHORIZED &&
	    strcmp(e.message, "Invalid or expired token") == 0 && who.kind == AUTH_NONE,
	    "bad JWT");
	CHECK(auth_refresh(&c, NULL, "sq_short", &s, &e) == SQ_ERR_UNAUTHORIZED,
	    "malformed refresh token");
	c.jwt_key_len = 0;
	CHECK(auth_login(&c, NULL, NULL, &in, &s, &e) == SQ_ERR_INTERNAL,
	    "login without a key");
	CHECK(auth_refresh(&c, NULL, "sq_short", &s, &e) == SQ_ERR_INTERNAL,
	    "refresh without a key");
}

/* The deferred path and the revocation rule (auth_confirm), as a table. */
static void
test_deferred(void)
{
	static struct config	 c;	/* large; zeroed */
	struct principal	 who;
	struct sq_error		 e;
	char			 t[AUTH_JWT_MAX], h[AUTH_JWT_MAX + 16];
	static const struct {
		enum auth_confirm	 state;	/* before */
		int			 found;
		long long		 gen;
		int			 is_admin;
		enum sq_err		 rc;
		enum auth_confirm	 after;
		int			 admin_after;
		const char		*what;
	} rows[] = {
		{ AUTH_PENDING, 1, 3, 1, SQ_OK, AUTH_CONFIRMED, 1, "same generation: confirmed, admin from the row" },
		{ AUTH_PENDING, 1, 3, 0, SQ_OK, AUTH_CONFIRMED, 0, "same generation, not admin" },
		{ AUTH_PENDING, 1, 4, 1, SQ_ERR_UNAUTHORIZED, AUTH_STALE, 0, "generation moved: stale" },
		{ AUTH_PENDING, 1, 2, 1, SQ_ERR_UNAUTHORIZED, AUTH_STALE, 0, "an older generation: stale" },
		{ AUTH_PENDING, 0, 0, 0, SQ_ERR_UNAUTHORIZED, AUTH_STALE, 0, "no such user: stale" },
		{ AUTH_CONFIRMED, 0, 0, 0, SQ_OK, AUTH_CONFIRMED, 1, "a confirmed principal is left as it is" },
	};
	size_t			 i;

	memcpy(c.jwt_key, key, KEYLEN);
	c.jwt_key_len = KEYLEN;
	CHECK(auth_jwt_issue(key, KEYLEN, 9, 1, 3, time(NULL), 900, t) == 0, "issue");
	snprintf(h, sizeof h, "Bearer %s", t);
	/* No database is touched: NULL would crash a read. */
	CHECK(auth_authenticate_deferred(&c, NULL, NULL, h, &who, &e) == SQ_OK &&
	    who.kind == AUTH_SESSION && who.user_id == 9 && who.confirm == AUTH_PENDING &&
	    who.gen == 3 && who.is_admin == 0, "a JWT deferred: pending, gen 3, adm claim not taken");
	CHECK(auth_authenticate_deferred(&c, NULL, NULL, "Bearer sq_nothex", &who, &e) ==
	    SQ_ERR_UNAUTHORIZED, "deferred: a malformed token is still refused at once");
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		memset(&who, 0, sizeof who);
		who.user_id = 9;
		who.kind = AUTH_SESSION;
		who.gen = 3;
		who.confirm = rows[i].state;
		who.is_admin = rows[i].state == AUTH_CONFIRMED;
		CHECK(auth_confirm(&who, rows[i].found, rows[i].gen, rows[i].is_admin, &e) ==
		    rows[i].rc && who.confirm == rows[i].after &&
		    who.is_admin == rows[i].admin_after, rows[i].what);
	}
}

int
main(void)
{
	test_password();
	test_token();
	test_bearer();
	test_jwt_issue();
	test_jwt_refused();
	test_jwt_garbage();
	test_no_db_paths();
	test_deferred();
	return tap_done("test_auth");
}

/* fuzz_jwt.c: libFuzzer target for auth_jwt_verify: the split, the HMAC check, and the claims behind a good signature. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "scrapeq/auth.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NOW ((time_t)1767225600)        /* 2026-01-01T00:00:00Z: every run the same */

static const unsigned char key[] = "fuzz-jwt-key-0123456789abcdefghijklmnopqrstuvwxyz";
#define KEYLEN (sizeof(key) - 1)

/* The headers a signed input may carry: HS256 ones (typ is optional), and ones we must refuse. */
static const struct {
	const char	*text;
	int		 hs256;
} headers[] = {
	{ "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", 1 },
	{ "{\"typ\":\"JWT\",\"alg\":\"HS256\"}", 1 },
	{ "{\"alg\":\"none\",\"typ\":\"JWT\"}", 0 },
	{ "{\"alg\":\"HS512\",\"typ\":\"JWT\"}", 0 },
	{ "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", 0 },
	{ "{\"alg\":\"HS256\"}", 1 },
	{ "{}", 0 },
	{ "not json", 0 },
};
#define NHEADERS (sizeof(headers) / sizeof(headers[0]))

/* Appends base64url (no padding) of p to out at *at; 0, or -1 when it would not fit. */
static int
b64(char *out, size_t cap, size_t *at, const void *p, size_t n)
{
	size_t need = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);

	if (*at + need > cap)
		return -1;
	sodium_bin2base64(out + *at, need, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	*at += strlen(out + *at);
	return 0;
}

/* HMAC-SHA256 with the whole key (crypto_auth_hmacsha256 itself takes 32 bytes of it). */
static void
mac_of(const char *p, size_t n, unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, KEYLEN);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)p, n);
	crypto_auth_hmacsha256_final(&st, mac);
}

/* Signs "<b64 header>.<b64 payload>" with key: what an attacker holding the key could send. */
static int
sign(const char *hdr, const uint8_t *payload, size_t plen, char *out, size_t cap)
{
	unsigned char	 mac[crypto_auth_hmacsha256_BYTES];
	size_t		 at = 0;

	if (b64(out, cap, &at, hdr, strlen(hdr)) == -1 || at + 1 >= cap)
		return -1;
	out[at++] = '.';
	if (b64(out, cap, &at, payload, plen) == -1 || at + 1 >= cap)
		return -1;
	mac_of(out, at, mac);
	out[at++] = '.';
	return b64(out, cap, &at, mac, sizeof mac);
}

/*
 * What an accepted token's payload must say, read with json-c rather than libjwt:
 * typ "access", exp an integer after NOW, adm 0 or 1, sub a positive decimal that
 * is who's user id.
 */
static void
check_claims(const uint8_t *payload, size_t plen, const struct principal *who, long long gen)
{
	struct json_object	*o, *v;
	struct json_tokener	*tk;
	char			*s;
	const char		*sub;
	size_t			 i;

	if ((s = malloc(plen + 1)) == NULL)
		abort();
	memcpy(s, payload, plen);
	s[plen] = '\0';
	/* Deeper than json-c's default 32: libjwt's reader takes deep claims. */
	if ((tk = json_tokener_new_ex(4096)) == NULL)
		abort();
	o = json_tokener_parse_ex(tk, s, (int)strlen(s));
	json_tokener_free(tk);
	if (o == NULL || !json_object_is_type(o, json_type_object))
		abort();
	if (!json_object_object_get_ex(o, "typ", &v) || !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "access") != 0)
		abort();
	if (!json_object_object_get_ex(o, "exp", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) <= (int64_t)NOW)
		abort();
	if (!json_object_object_get_ex(o, "adm", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != who->is_admin || (who->is_admin != 0 && who->is_admin != 1))
		abort();
	if (!json_object_object_get_ex(o, "gen", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != gen || gen < 0)
		abort();
	if (!json_object_object_get_ex(o, "sub", &v) || !json_object_is_type(v, json_type_string))
		abort();
	sub = json_object_get_string(v);
	if (sub[0] < '1' || sub[0] > '9' || who->user_id <= 0 || who->kind != AUTH_SESSION)
		abort();
	for (i = 0; sub[i] != '\0'; i++)
		if (sub[i] < '0' || sub[i] > '9')
			abort();
	if (strtoll(sub, NULL, 10) != who->user_id)
		abort();
	json_object_put(o);
	free(s);
}

/* Any bytes as a token: refused unless they carry our key's signature over what they say. */
static void
raw(const uint8_t *data, size_t size)
{
	struct principal	 who;
	long long		 gen = -1;
	unsigned char		 mac[crypto_auth_hmacsha256_BYTES], payload[AUTH_JWT_MAX];
	char			 sig[AUTH_JWT_MAX], *t;
	const char		*d1, *d2;
	size_t			 plen;

	if ((t = malloc(size + 1)) == NULL)
		return;
	memcpy(t, data, size);
	t[size] = '\0';
	memset(&who, 0, sizeof who);
	if (auth_jwt_verify(key, KEYLEN, t, NOW, &who, &gen) == 0) {
		/* Only a token we signed gets here (the corpus holds some): check it ourselves. */
		if ((d1 = strchr(t, '.')) == NULL || (d2 = strrchr(t, '.')) == d1)
			abort();
		mac_of(t, (size_t)(d2 - t), mac);
		sodium_bin2base64(sig, sizeof sig, mac, sizeof mac,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		if (strcmp(sig, d2 + 1) != 0)
			abort();
		if (sodium_base642bin(payload, sizeof payload, d1 + 1, (size_t)(d2 - d1 - 1), NULL,
		    &plen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0)
			check_claims(payload, plen, &who, gen);
	}
	/* The same bytes under a key too short to use: always refused. */
	if (auth_jwt_verify(key, AUTH_JWT_KEY_MIN - 1, t, NOW, &who, &gen) == 0)
		abort();
	free(t);
}

/* A header from the table and fuzzed claims, signed with our key. */
static void
signed_claims(uint8_t sel, const uint8_t *payload, size_t plen)
{
	struct principal	 who;
	long long		 gen = -1;
	char			 tok[AUTH_JWT_MAX + 64];
	size_t			 h = sel % NHEADERS;

	if (sign(headers[h].text, payload, plen, tok, sizeof tok) == -1)
		return;
	memset(&who, 0, sizeof who);
	if (auth_jwt_verify(key, KEYLEN, tok, NOW, &who, &gen) != 0)
		return;
	if (!headers[h].hs256)          /* only HS256 headers may pass */
		abort();
	check_claims(payload, plen, &who, gen);
	/* One bit changed in the signature: refused. */
	tok[strlen(tok) - 2] ^= 0x01;
	if (auth_jwt_verify(key, KEYLEN, tok, NOW, &who, &gen) == 0)
		abort();
}

/* What auth_jwt_issue makes, auth_jwt_verify takes back, until it expires. */
static void
issued(const uint8_t *d, size_t n)
{
	struct principal	 who;
	char			 tok[AUTH_JWT_MAX];
	long long		 uid = 0, gen, got = -1;
	unsigned		 ttl;
	size_t			 i;
	int			 adm;

	if (n < 12)
		return;
	for (i = 0; i < 8; i++)
		uid = (long long)((unsigned long long)uid << 8 | d[i]);
	adm = d[8] & 1;
	ttl = (unsigned)(d[9] << 8 | d[10]);
	gen = d[11];
	if (auth_jwt_issue(key, KEYLEN, uid, adm, gen, NOW, ttl, tok) != 0) {
		if (uid > 0 && ttl > 0)
			abort();
		return;
	}
	if (uid <= 0 || ttl == 0)
		abort();
	memset(&who, 0, sizeof who);
	if (auth_jwt_verify(key, KEYLEN, tok, NOW, &who, &got) != 0 || who.user_id != uid ||
	    who.is_admin != adm || who.kind != AUTH_SESSION || got != gen)
		abort();
	if (auth_jwt_verify(key, KEYLEN, tok, NOW + (time_t)ttl, &who, &got) == 0)
		abort();
}

/*
 * The first byte picks the mode: 0-63 raw bytes as a token, 64-191 fuzzed claims
 * under a header from the table (the byte picks it) signed with the key, 192-255
 * an issued token's fields.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (sodium_init() < 0)
		abort();
	if (data[0] < 64)
		raw(data + 1, size - 1);
	else if (data[0] < 192)
		signed_claims(data[0], data + 1, size - 1);
	else
		issued(data + 1, size - 1);
	return 0;
}

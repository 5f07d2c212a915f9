/* uuid.c: UUIDv7 (RFC 9562 section 5.7) generation, parsing and prefixed public ids. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "scrapeq/uuid.h"
#include "scrapeq/text.h"

static _Thread_local struct uuid last;
static _Thread_local uint64_t last_ms;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Adds one to the 74 random bits (rand_a and rand_b), skipping version and variant. */
static int
uuid_increment(struct uuid *u)
{
	int i;

	for (i = 15; i >= 6; i--) {
		if (i == 8) {                   /* variant (2 bits) + 6 bits */
			if ((u->b[8] & 0x3f) != 0x3f) {
				u->b[8]++;
				return 0;
			}
			u->b[8] &= 0xc0;
			continue;
		}
		if (i == 6) {                   /* version (4 bits) + 4 bits */
			if ((u->b[6] & 0x0f) != 0x0f) {
				u->b[6]++;
				return 0;
			}
			return -1;
		}
		if (++u->b[i] != 0)
			return 0;
	}
	return -1;
}

void
uuid_v7(struct uuid *u)
{
	uint64_t ms = now_ms();
	int	 i;

	/* Same (or an earlier) millisecond as this thread's last id: count up from it. */
	if (last_ms != 0 && ms <= last_ms) {
		*u = last;
		if (uuid_increment(u) == 0) {
			last = *u;
			return;
		}
		ms = last_ms + 1;
	}
	randombytes_buf(u->b, sizeof(u->b));
	for (i = 0; i < 6; i++)
		u->b[i] = (uint8_t)(ms >> (40 - 8 * i));
	u->b[6] = (uint8_t)(0x70 | (u->b[6] & 0x0f));
	u->b[8] = (uint8_t)(0x80 | (u->b[8] & 0x3f));
	/* Leave headroom so the counter rarely overflows within one millisecond. */
	u->b[6] &= 0xf7;
	last = *u;
	last_ms = ms;
}

uint64_t
uuid_v7_time_ms(const struct uuid *u)
{
	uint64_t ms = 0;
	int	 i;

	for (i = 0; i < 6; i++)
		ms = (ms << 8) | u->b[i];
	return ms;
}

static const char hexdig[] = "0123456789abcdef";

void
uuid_format(const struct uuid *u, char *out)
{
	size_t	 i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hexdig[u->b[i] >> 4];
		out[o++] = hexdig[u->b[i] & 0x0f];
	}
	out[o] = '\0';
}

int
uuid_parse(const char *s, size_t len, struct uuid *u)
{
	size_t	 i, o = 0;
	int	 hi, lo, dashed;

	if (len == UUID_STR_LEN)
		dashed = 1;
	else if (len == UUID_HEX_LEN)
		dashed = 0;
	else
		return -1;
	for (i = 0; i < len; ) {
		if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i++] != '-')
				return -1;
			continue;
		}
		if (i + 1 >= len || (hi = text_hexval((unsigned char)s[i])) < 0 ||
		    (lo = text_hexval((unsigned char)s[i + 1])) < 0)
			return -1;
		u->b[o++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return o == 16 ? 0 : -1;
}

void
id_format(const char *prefix, const struct uuid *u, char *out, size_t outsz)
{
	size_t	 plen = strlen(prefix), i;

	if (outsz < plen + UUID_HEX_LEN + 1) {
		if (outsz > 0)
			out[0] = '\0';
		return;
	}
	memcpy(out, prefix, plen);
	for (i = 0; i < 16; i++) {
		out[plen + 2 * i] = hexdig[u->b[i] >> 4];
		out[plen + 2 * i + 1] = hexdig[u->b[i] & 0x0f];
	}
	out[plen + UUID_HEX_LEN] = '\0';
}

int
id_parse(const char *prefix, const char *s, struct uuid *u)
{
	size_t plen = strlen(prefix), len;

	if (s == NULL)
		return -1;
	len = strlen(s);
	if (len == plen + UUID_HEX_LEN && strncmp(s, prefix, plen) == 0)
		return uuid_parse(s + plen, UUID_HEX_LEN, u);
	return uuid_parse(s, len, u);
}

static const char *const child_suffix[] = { "", "-export", "-import" };

int
id_parse_job(const char *s, struct uuid *u, enum id_child *child)
{
	char	 head[ID_STR_MAX];
	size_t	 len, slen;
	int	 i;

	if (s == NULL)
		return -1;
	len = strlen(s);
	for (i = ID_CHILD_IMPORT; i >= ID_CHILD_NONE; i--) {
		slen = strlen(child_suffix[i]);
		if (len > slen && len - slen < sizeof(head) &&
		    strcmp(s + len - slen, child_suffix[i]) == 0)
			break;
	}
	if (i < ID_CHILD_NONE)
		return -1;
	memcpy(head, s, len - slen);
	head[len - slen] = '\0';
	if (id_parse(ID_PREFIX_JOB, head, u) == -1)
		return -1;
	*child = (enum id_child)i;
	return 0;
}

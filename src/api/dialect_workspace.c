/* dialect_workspace.c: seed 003's API; for now its /auth/login and /auth/refresh. */
#include <string.h>

#include "scrapeq/jsonbody.h"
#include "dialect.h"

static void
ws_error(struct req *r, const struct sq_error *e)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "detail",
	    json_object_new_string(e->message[0] ? e->message : sq_strerror(e->code)));
	if (e->code == SQ_ERR_UNAUTHORIZED)
		r->extra_header = "WWW-Authenticate: Bearer";
	req_reply_json(r, sq_http_status(e->code), o);
	json_object_put(o);
}

const struct dialect dialect_workspace = { "workspace", ws_error };

static void
reply_session(struct req *r, const struct auth_session *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "access_token", json_object_new_string(s->access_token));
	json_object_object_add(o, "refresh_token", json_object_new_string(s->refresh_token));
	json_object_object_add(o, "token_type", json_object_new_string("bearer"));
	json_object_object_add(o, "expires_in", json_object_new_int64(s->expires_in));
	req_reply_json(r, 200, o);
	json_object_put(o);
}

/* Returns the string value of a required field, or NULL with e filled. */
static const char *
required_str(struct json_object *b, const char *key, size_t max, struct sq_error *e)
{
	struct json_object *v;

	if (!json_object_object_get_ex(b, key, &v) || v == NULL) {
		sq_fail(e, SQ_ERR_INVALID, "Field '%s' is required", key);
		return NULL;
	}
	if (json_object_get_string_len(v) > (int)max) {
		sq_fail(e, SQ_ERR_INVALID, "Field '%s' is too long", key);
		return NULL;
	}
	return json_object_get_string(v);
}

static const struct jsonbody_field login_fields[] = {
	{ "username", JF_STRING, 0 },
	{ "password", JF_STRING, 0 },
};

static enum sq_err
h_login(struct req *r, struct sq_error *e)
{
	struct json_object	*b;
	struct auth_session	 s;
	const char		*user, *pw;
	enum sq_err		 rc;

	if ((b = req_json(r, 0, e)) == NULL)
		return e->code;
	if ((rc = jsonbody_check(b, login_fields, 2, e)) == SQ_OK) {
		if ((user = required_str(b, "username", SQ_USERNAME_MAX, e)) == NULL ||
		    (pw = required_str(b, "password", SQ_PASSWORD_MAX, e)) == NULL)
			rc = e->code;
		else if ((rc = auth_login(r->w->cfg, r->w->db, user, pw, &s, e)) == SQ_OK)
			reply_session(r, &s);
	}
	json_object_put(b);
	return rc;
}

static const struct jsonbody_field refresh_fields[] = {
	{ "refresh_token", JF_STRING, 0 },
};

static enum sq_err
h_refresh(struct req *r, struct sq_error *e)
{
	struct json_object	*b;
	struct auth_session	 s;
	const char		*tok;
	enum sq_err		 rc;

	if ((b = req_json(r, 0, e)) == NULL)
		return e->code;
	if ((rc = jsonbody_check(b, refresh_fields, 1, e)) == SQ_OK) {
		if ((tok = required_str(b, "refresh_token", SQ_AUTH_HEADER_MAX, e)) == NULL)
			rc = e->code;
		else if ((rc = auth_refresh(r->w->cfg, r->w->db, tok, &s, e)) == SQ_OK)
			reply_session(r, &s);
	}
	json_object_put(b);
	return rc;
}

const struct route dialect_workspace_routes[] = {
	{ "POST", "/auth/login", h_login, 0 },
	{ "POST", "/auth/refresh", h_refresh, 0 },
	{ NULL, NULL, NULL, 0 },
};

/* GET / and the JSON API under /api/: not written yet (issue 11). */
#include <event2/buffer.h>

#include "d_web.h"

static void
todo(struct np_web_resp *resp)
{
	resp->status = 501;
	evbuffer_add_printf(resp->body, "not implemented\n");
}

void
d_page_handle(void *ctx, const struct np_web_req *req, struct np_web_resp *resp)
{
	(void)ctx, (void)req;
	todo(resp);
}

void
d_api_status(void *ctx, const struct np_web_req *req, struct np_web_resp *resp)
{
	(void)ctx, (void)req;
	todo(resp);
}

void
d_api_events(void *ctx, const struct np_web_req *req, struct np_web_resp *resp)
{
	(void)ctx, (void)req;
	todo(resp);
}

void
d_api_downtime(void *ctx, const struct np_web_req *req, struct np_web_resp *resp)
{
	(void)ctx, (void)req;
	todo(resp);
}

/* GET /metrics: not written yet (issue 11). */
#include <event2/buffer.h>

#include "d_web.h"

void
d_metrics_handle(void *ctx, const struct np_web_req *req, struct np_web_resp *resp)
{
	(void)ctx;
	(void)req;
	resp->status = 501;
	evbuffer_add_printf(resp->body, "not implemented\n");
}

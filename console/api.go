package console

import (
	"fmt"
	"net/http"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/awsjson"
	"github.com/ctlake/ctlake/sigv4"
)

// checkCall checks a state-changing console call: same origin, a live
// session, and that session's CSRF token. It returns the session and its id.
func (c *Console) checkCall(r *http.Request) (string, session, error) {
	if err := checkSameOrigin(r); err != nil {
		return "", session{}, err
	}
	id, sess, ok := c.sessionWithID(r)
	if !ok {
		return "", session{}, errNoSession
	}
	if token := r.Header.Get(CSRFHeader); token == "" || !equalSecret(token, sess.csrfToken) {
		return "", session{}, errBadCSRF
	}
	return id, sess, nil
}

// serveAPI runs a CloudTrail operation for the signed-in caller: the same
// handler as POST /, with the caller the console session stands for. The
// body is left to that handler: the server that mounts the console has
// already read it within its size, time and memory bounds.
func (c *Console) serveAPI(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	_, sess, err := c.checkCall(r)
	if err != nil {
		writeRefusal(w, err)
		return
	}
	region := r.Header.Get(RegionHeader)
	if region == "" {
		region = DefaultRegion
	}
	if !sigv4.ValidRegion(region) {
		awsjson.WriteError(w, http.StatusBadRequest, ctlake.ValidationException,
			fmt.Sprintf("%s %.64q is not a region name such as us-east-1.", RegionHeader, region))
		return
	}
	caller := ctlake.Caller{Account: c.cfg.Account, Region: region, AccessKeyID: sess.accessKeyID}
	c.cfg.API.ServeHTTP(w, r.WithContext(ctlake.NewContext(r.Context(), caller)))
}

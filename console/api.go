package console

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/awsjson"
)

// regionPattern is what an AWS region name looks like (us-east-1,
// us-gov-west-1, ap-southeast-4).
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)

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
// handler as POST /, with the caller the console session stands for.
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
	if !regionPattern.MatchString(region) {
		awsjson.WriteError(w, http.StatusBadRequest, "ValidationException",
			fmt.Sprintf("%s %q is not a region name such as us-east-1.", RegionHeader, region))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, c.cfg.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			awsjson.WriteError(w, http.StatusRequestEntityTooLarge, ctlake.RequestEntityTooLarge,
				fmt.Sprintf("The request body is larger than %d bytes, the most ctlake accepts.", c.cfg.MaxBodyBytes))
			return
		}
		awsjson.WriteError(w, http.StatusBadRequest, ctlake.SerializationException, "The request body could not be read: "+err.Error())
		return
	}
	caller := ctlake.Caller{Account: c.cfg.Account, Region: region, AccessKeyID: sess.accessKeyID}
	r.Body = io.NopCloser(bytes.NewReader(body))
	c.cfg.API.ServeHTTP(w, r.WithContext(ctlake.NewContext(r.Context(), caller)))
}

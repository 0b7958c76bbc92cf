package webhooks

import (
	"net"
	"net/http"
	"time"
)

// maxRedirects is how many same-host redirects a delivery follows.
const maxRedirects = 3

// NewClient returns the HTTP client deliveries use: dial, TLS and response-header timeouts,
// proxies from the environment, and CheckRedirect. Each attempt is further bounded by the
// worker's Timeout.
func NewClient(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dialer := &net.Dialer{Timeout: min(timeout, 10*time.Second), KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   min(timeout, 10*time.Second),
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: tr, CheckRedirect: CheckRedirect}
}

// CheckRedirect is the redirect policy of deliveries: a redirect is followed only to the same
// scheme and host (host:port) as the original request, only when it keeps the POST and its
// body (307, 308), and at most maxRedirects times. Anything else is not followed: the 3xx is
// the attempt's answer, a failure that is retried. A signed request is never sent to a host
// the submitter did not register.
func CheckRedirect(req *http.Request, via []*http.Request) error {
	if len(via) == 0 {
		return nil
	}
	first := via[0]
	if len(via) > maxRedirects || req.URL.Host != first.URL.Host || req.URL.Scheme != first.URL.Scheme ||
		req.Method != http.MethodPost {
		return http.ErrUseLastResponse
	}
	return nil
}

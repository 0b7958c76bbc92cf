package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// SessionCookie is the name of the dashboard's session cookie.
const SessionCookie = "claimgate_session"

// SessionLifetime is how long a login lasts.
const SessionLifetime = 12 * time.Hour

// maxLoginBody bounds the login form.
const maxLoginBody = 4 << 10

// sessionKey derives the HMAC key of the session cookies from the operator token hash: every
// replica with the same token agrees, and a new token invalidates every session.
func sessionKey(operatorHash string) []byte {
	m := hmac.New(sha256.New, []byte("claimgate dashboard session key v1"))
	m.Write([]byte(operatorHash))
	return m.Sum(nil)
}

// signSession returns the cookie value for a session ending at expires: "v1.<unix>.<mac>".
func signSession(key []byte, expires time.Time) string {
	payload := "v1." + strconv.FormatInt(expires.Unix(), 10)
	return payload + "." + base64.RawURLEncoding.EncodeToString(sessionMAC(key, payload))
}

func sessionMAC(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// checkSession reports whether value is a session signed with key that is still valid at now.
func checkSession(key []byte, value string, now time.Time) bool {
	if len(key) == 0 || len(value) > 128 {
		return false
	}
	i := strings.LastIndexByte(value, '.')
	if i < 0 || !strings.HasPrefix(value, "v1.") {
		return false
	}
	payload, sig := value[:i], value[i+1:]
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, sessionMAC(key, payload)) {
		return false
	}
	exp, err := strconv.ParseInt(strings.TrimPrefix(payload, "v1."), 10, 64)
	if err != nil {
		return false
	}
	expires := time.Unix(exp, 0)
	// Expired, or further away than a login can give (a cookie from a clock far ahead).
	return now.Before(expires) && !expires.After(now.Add(SessionLifetime+time.Minute))
}

// validSession reports whether the request carries a valid session cookie.
func (d *Dashboard) validSession(r *http.Request) bool {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return false
	}
	return checkSession(d.sessionKey, c.Value, d.now())
}

// requireSession sends requests without a valid session to the login page.
func (d *Dashboard) requireSession(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !d.validSession(r) {
			http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
			return
		}
		h(w, r)
	}
}

// isOperator compares a token with the operator's in constant time.
func (d *Dashboard) isOperator(token string) bool {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 512 || d.opHash == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(gateway.HashToken(token)), []byte(d.opHash)) == 1
}

type loginData struct {
	Error string
}

// loginPage is GET /ui/login.
func (d *Dashboard) loginPage(w http.ResponseWriter, r *http.Request) {
	if d.validSession(r) {
		http.Redirect(w, r, "/ui/", http.StatusSeeOther)
		return
	}
	d.render(w, r, http.StatusOK, "login", page{Title: "Sign in", Data: loginData{}})
}

// login is POST /ui/login with the form field token.
func (d *Dashboard) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
	if err := r.ParseForm(); err != nil {
		d.render(w, r, http.StatusBadRequest, "login", page{Title: "Sign in",
			Data: loginData{Error: "The sign-in form could not be read. Type the operator token and press Sign in."}})
		return
	}
	if !d.isOperator(r.PostForm.Get("token")) {
		d.log.Warn("dashboard sign-in refused", "request_id", requestID(r))
		d.render(w, r, http.StatusUnauthorized, "login", page{Title: "Sign in",
			Data: loginData{Error: "That is not the operator token. Check the file named by CLAIMGATE_OPERATOR_TOKEN_FILE and try again."}})
		return
	}
	expires := d.now().Add(SessionLifetime)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: signSession(d.sessionKey, expires), Path: "/ui",
		Expires: expires, MaxAge: int(SessionLifetime / time.Second), HttpOnly: true, Secure: overTLS(r),
		SameSite: http.SameSiteStrictMode})
	d.log.Info("dashboard sign-in", "request_id", requestID(r))
	http.Redirect(w, r, "/ui/", http.StatusSeeOther)
}

// logout is POST /ui/logout: the cookie is cleared.
func (d *Dashboard) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/ui", MaxAge: -1, HttpOnly: true,
		Secure: overTLS(r), SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
}

// overTLS reports whether the browser reached us over HTTPS: the request came over TLS, or a
// TLS-terminating proxy says so in X-Forwarded-Proto. The header is trusted because it can
// only add the cookie's Secure flag, never take it away: a client that sends it on plain
// HTTP gets a cookie its browser will not send back over plain HTTP.
func overTLS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

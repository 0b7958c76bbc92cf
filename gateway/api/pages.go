package api

import (
	"net/http"
	"net/url"
	"strconv"
)

// badCursor answers a cursor the API did not return (or one the store cannot read).
func badCursor() problem {
	return problemQuery("cursor is not one this API returned; pass next_cursor from the previous page unchanged.")
}

// pageLimit reads ?limit= of a list (0 when absent: the store's default); ok is false once it
// has answered 400.
func (a *API) pageLimit(w http.ResponseWriter, r *http.Request, q url.Values) (limit int, ok bool) {
	v := q.Get("limit")
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxPageSize {
		a.problem(w, r, problemQuery("limit must be a whole number from 1 to "+strconv.Itoa(MaxPageSize)+"."))
		return 0, false
	}
	return n, true
}

// pageCursor reads ?cursor= of a list ("" when absent); ok is false once it has answered 400.
func (a *API) pageCursor(w http.ResponseWriter, r *http.Request, q url.Values) (cursor string, ok bool) {
	v := q.Get("cursor")
	if v != "" && !cursorRe.MatchString(v) {
		a.problem(w, r, badCursor())
		return "", false
	}
	return v, true
}

// pageParams reads ?limit= and ?cursor= of a list; ok is false once it has answered 400.
func (a *API) pageParams(w http.ResponseWriter, r *http.Request, q url.Values) (limit int, cursor string, ok bool) {
	if limit, ok = a.pageLimit(w, r, q); !ok {
		return 0, "", false
	}
	cursor, ok = a.pageCursor(w, r, q)
	return limit, cursor, ok
}

// nextPage is the link to a list's next page: path with the named query parameters as the
// client sent them, and cursor.
func nextPage(path string, q url.Values, names []string, cursor string) string {
	next := url.Values{}
	for _, name := range names {
		if v := q.Get(name); v != "" {
			next.Set(name, v)
		}
	}
	next.Set("cursor", cursor)
	return path + "?" + next.Encode()
}

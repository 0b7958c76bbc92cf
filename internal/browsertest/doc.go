// Package browsertest is a tiny W3C WebDriver client for tests that drive a real browser:
// it starts chromedriver on a free 127.0.0.1 port, opens a headless Chromium session and offers
// the few commands the dashboard tests need (navigate, find by CSS selector, type, click, read
// text, title and URL). It uses only the standard library and talks to 127.0.0.1 only.
//
// Lookup finds Chromium and chromedriver (Debian: apt-get install chromium chromium-driver);
// tests skip when they are missing unless CLAIMGATE_REQUIRE_BROWSER=1, which Require turns
// into a failure.
package browsertest

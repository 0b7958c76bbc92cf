package main

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/payers"
)

func TestNewSubmissionSettings(t *testing.T) {
	cfg := defaultConfig()
	cfg.Submitter = submitterConfig{Name: "Lakeside Billing", ID: "CLAIMGATE01", ISAQualifier: "ZZ"}
	cfg.Payers = []payers.Payer{{ID: "SIMPAYER", Name: "Sim", Receiver: payers.Receiver{ISAQualifier: "ZZ", ISAID: "SIMPAYER", GSID: "SIMPAYER"},
		SFTP:   payers.SFTP{Addr: "127.0.0.1:2222", User: "u", PasswordEnv: "PW", KnownHosts: "kh"},
		Submit: "@every 5s", Poll: "@every 5s"}}
	log := slog.New(slog.DiscardHandler)
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	svc, err := newSubmission(&cfg, nil, log, nil, env(nil), nil)
	if err == nil || svc != nil {
		t.Fatalf("a nil store was accepted")
	}
	for _, bad := range []string{"0", "-3", "many", "5001"} {
		_, err := newSubmission(&cfg, nil, log, nil, env(map[string]string{batchLimitEnv: bad}), nil)
		if err == nil || !strings.Contains(err.Error(), batchLimitEnv) {
			t.Errorf("%s=%s: %v", batchLimitEnv, bad, err)
		}
	}
	dup := cfg
	dup.Payers = append(dup.Payers, dup.Payers[0])
	if _, err := newSubmission(&dup, nil, log, nil, env(nil), nil); err == nil || !strings.Contains(err.Error(), "also the id") {
		t.Errorf("duplicate payer ids: %v", err)
	}
}

func TestCrashHookOnlyWhenSet(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	if crashHook("", log) != nil {
		t.Fatal("crash hook active without CLAIMGATE_TEST_CRASHPOINT")
	}
	h := crashHook("after-archive, after-upload", log)
	if h == nil {
		t.Fatal("crash hook not built")
	}
	h("after-submit") // not named: returns
}

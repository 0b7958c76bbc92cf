package payers

import (
	"strings"
	"testing"
)

func validPayer(id string) Payer {
	return Payer{ID: id, Name: id + " Health", Receiver: Receiver{ISAQualifier: "ZZ", ISAID: id, GSID: id},
		SFTP:   SFTP{Addr: "127.0.0.1:2222", User: "u", PasswordEnv: "PW", KnownHosts: "kh"},
		Submit: "*/5 * * * *", Poll: "@every 30s"}
}

func TestRegistry(t *testing.T) {
	r, err := NewRegistry([]Payer{validPayer("SIMPAYER"), validPayer("Acme-1")})
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != 2 {
		t.Fatalf("len %d", r.Len())
	}
	for _, id := range []string{"SIMPAYER", "simpayer", " SimPayer "} {
		if p, ok := r.Get(id); !ok || p.ID != "SIMPAYER" {
			t.Fatalf("Get(%q) = %+v %v", id, p, ok)
		}
	}
	if p, ok := r.Get("ACME-1"); !ok || p.ID != "Acme-1" {
		t.Fatalf("Get keeps the configured spelling: %+v", p)
	}
	if _, ok := r.Get("NOPE"); ok {
		t.Fatal("unknown payer found")
	}
	ps := r.Payers()
	ps[0].ID = "CHANGED"
	if p, _ := r.Get("SIMPAYER"); p.ID != "SIMPAYER" || r.Payers()[0].ID != "SIMPAYER" {
		t.Fatal("Payers returned the registry's own slice")
	}
	if ids := r.IDs(); len(ids) != 2 || ids[0] != "Acme-1" || ids[1] != "SIMPAYER" {
		t.Fatalf("ids %v", ids)
	}
	var nilReg *Registry
	if _, ok := nilReg.Get("X"); ok || nilReg.Len() != 0 || nilReg.Payers() != nil {
		t.Fatal("nil registry")
	}
}

func TestRegistryRefusesInvalidAndDuplicates(t *testing.T) {
	bad := validPayer("B")
	bad.Submit = "every five minutes"
	_, err := NewRegistry([]Payer{validPayer("A"), validPayer("a"), bad})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`payers[1].id: "a" is also the id of payers[0]`, "payers[2].submit"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

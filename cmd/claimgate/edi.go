package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/document"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/edi/x999"
	"github.com/claimgate/claimgate/gateway/intake"
	"github.com/claimgate/claimgate/payers"
)

// The envelope `claimgate edi render` writes when no configuration names the submitter or the
// payer. They suit test files and demonstrations; a real submission takes the submitter and
// payer from claimgate.yaml.
const (
	defaultSenderID      = "CLAIMGATE01"
	defaultQualifier     = "ZZ"
	defaultSenderName    = "CLAIMGATE"
	defaultContactName   = "CLAIMGATE EDI"
	defaultContactEmail  = "edi@claimgate.invalid"
	defaultUsage         = "T"
	defaultControlNumber = 1
)

// Exit codes of `claimgate edi validate` (and `parse` for unreadable input).
const (
	exitInvalid    = 1 // the input was read and has problems
	exitUnreadable = 2 // no input: a missing file, an I/O error, no ISA, bytes that are not X12
)

// ediCommands is the dispatch table of `claimgate edi`.
func ediCommands() map[string]command {
	return map[string]command{
		"render":   {synopsis: "[flags] ENCOUNTER.json [MORE.json...] | -", summary: "render encounters as one 837 interchange on stdout", run: runEDIRender},
		"parse":    {synopsis: "[flags] FILE | -", summary: "parse 835/999/277CA/837/TA1 into one JSON object on stdout", run: runEDIParse},
		"validate": {synopsis: "[flags] FILE | -", summary: "list every problem of an X12 file on stderr; exit 0 valid, 1 invalid, 2 unreadable", run: runEDIValidate},
	}
}

// runEDI is `claimgate edi`: the X12 tools.
func runEDI(ctx context.Context, e *env, args []string) int {
	subs := ediCommands()
	names := make([]string, 0, len(subs))
	for n := range subs {
		names = append(names, n)
	}
	sort.Strings(names)
	about := "X12 tools that work on files, without a database or a running daemon.\n\nCommands:\n"
	for _, n := range names {
		about += fmt.Sprintf("  %-9s %s\n", n, subs[n].summary)
	}
	fs := newFlagSet(e, "edi", "COMMAND [flags] [arguments]", about)
	pos, code, ok := fs.parseUntilCommand(e, args)
	if !ok {
		return code
	}
	if len(pos) == 0 {
		return fs.fail(e, "missing command: render, parse or validate")
	}
	sub, found := subs[pos[0]]
	if !found {
		return fs.fail(e, "unknown command %q", pos[0])
	}
	return sub.run(ctx, e, pos[1:])
}

// parseUntilCommand parses the flags before the first positional argument (the sub-command)
// and returns it with everything after it untouched.
func (c *cmdFlags) parseUntilCommand(e *env, args []string) ([]string, int, bool) {
	if err := c.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.usage(e.stdout)
			return nil, exitOK, false
		}
		return nil, c.fail(e, "%v", err), false
	}
	return c.Args(), exitOK, true
}

// ---------------------------------------------------------------------------------------------
// render

const renderAbout = `
Render coded encounters (the encounter JSON of POST /v1/encounters) as one 837 interchange on
stdout: professional claims in an 837P transaction set, institutional claims in an 837I, both
in the same interchange when both kinds are given. "-" reads one encounter from stdin.

Every claim gets a deterministic claim id, so the same files render the same bytes: the
encounter's external_id (upper-cased) when it is at most 17 letters, digits and hyphens,
otherwise "CG" and 15 hex digits of the SHA-256 of the external_id (or of the file name when
there is none). Line control numbers (REF*6R) are the claim id, "-" and the line number.

The envelope comes from the configuration when one is found (--config, $CLAIMGATE_CONFIG or
./claimgate.yaml): the submitter (ISA05/06, GS02, loop 1000A) and the payer whose id the
encounters name (ISA07/08, GS03, loop 1000B, ISA15 usage). Without one: sender CLAIMGATE01
(qualifier ZZ, name CLAIMGATE, contact edi@claimgate.invalid), receiver the payer id (ZZ), usage
T. All encounters must be for the same payer.

Every encounter is scrubbed first, with the API's intake edits (dates judged against --time),
and mapped onto the claim model; every problem of every file is listed on stderr and nothing is
written to stdout unless all encounters pass.
`

func runEDIRender(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "edi render", "[flags] ENCOUNTER.json [MORE.json...] | -", renderAbout)
	control := fs.Int64("control", defaultControlNumber, "ISA13 interchange control `number`; GS06 and ST02 count from it too")
	at := fs.String("time", "", "interchange date and `time`, RFC 3339 (default: now); fixes the output for tests")
	usage := fs.String("usage", "", "ISA15 usage `indicator` T (test) or P (production) (default: the payer's, else T)")
	lineBreaks := fs.Bool("line-breaks", true, "write a line feed after every segment")
	files, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	if len(files) == 0 {
		return fs.fail(e, "missing encounter file (or - for stdin)")
	}
	if *control < 1 || *control > 999999999 {
		return fs.fail(e, "--control %d must be between 1 and 999999999", *control)
	}
	if *usage != "" && *usage != "T" && *usage != "P" {
		return fs.fail(e, "--usage %q must be T or P", *usage)
	}
	when := time.Now().UTC()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return fs.fail(e, "--time %q is not an RFC 3339 time such as 2026-11-20T10:30:00Z", *at)
		}
		when = t.UTC()
	}
	for _, f := range files {
		if f == "-" && len(files) > 1 {
			return fs.fail(e, "- (stdin) cannot be combined with files")
		}
	}

	cfg, err := loadConfig(e.global, e.getenv)
	if err != nil {
		reportError(e.stderr, err)
		return exitFailure
	}
	scrub := intake.ScrubOptions{Now: when, Payer: renderPayerLookup(cfg)}
	claims, payerID, payerName, problems := loadEncounters(e, files, scrub)
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(e.stderr, "claimgate edi render: %s\n", oneLine(p))
		}
		return exitFailure
	}
	ic, err := renderEnvelope(cfg, payerID, payerName)
	if err != nil {
		reportError(e.stderr, err)
		return exitFailure
	}
	if *usage != "" {
		ic.Usage = *usage
	}
	ic.ControlNumbers = x837.ControlNumbers{ISA: *control, GS: *control, ST: *control}
	ic.Time = when
	ic.Claims = claims
	if ic.Receiver.ID != "" {
		for i := range ic.Claims {
			ic.Claims[i].Payer.ID = ic.Receiver.ID
		}
	}

	var buf bytes.Buffer
	ew := edi.NewWriter(&buf, edi.DefaultDelimiters)
	ew.LineBreaks = *lineBreaks
	err = x837.WriteInterchange(ew, &ic)
	if err == nil {
		err = ew.Flush()
	}
	if err != nil {
		var ces x837.ClaimErrors
		if errors.As(err, &ces) {
			for _, ce := range ces {
				fmt.Fprintf(e.stderr, "claimgate edi render: %s\n", oneLine(ce.Error()))
			}
		} else {
			fmt.Fprintf(e.stderr, "claimgate edi render: %s\n", oneLine(err.Error()))
		}
		return exitFailure
	}
	if _, err := e.stdout.Write(buf.Bytes()); err != nil {
		fmt.Fprintf(e.stderr, "claimgate edi render: writing the 837: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// renderPayerLookup is the scrubbing's payer registry: the configured payers when the
// configuration names any, else every payer id is accepted (a render without configuration
// addresses the file to whatever payer the encounters name).
func renderPayerLookup(cfg *config) func(string) (payers.Payer, bool) {
	if cfg.source == "" || len(cfg.Payers) == 0 {
		return func(id string) (payers.Payer, bool) { return payers.Payer{ID: id}, true }
	}
	return func(id string) (payers.Payer, bool) {
		for _, p := range cfg.Payers {
			if strings.EqualFold(p.ID, id) {
				return p, true
			}
		}
		return payers.Payer{}, false
	}
}

// loadEncounters decodes, scrubs and maps every encounter file, in order. It returns the claims
// and the one payer they are all for, or every problem found, one line each, naming the file.
// Scrubbing is the API's intake edits (dates relative to the interchange time), so render
// refuses what POST /v1/encounters would refuse.
func loadEncounters(e *env, files []string, scrub intake.ScrubOptions) (claims []x837.Claim, payerID, payerName string, problems []string) {
	seen := map[string]string{}
	for _, name := range files {
		var (
			data []byte
			rerr error
		)
		if name == "-" {
			data, rerr = io.ReadAll(e.stdin)
			name = "stdin"
		} else {
			data, rerr = os.ReadFile(name)
		}
		if rerr != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, unwrapPathError(rerr)))
			continue
		}
		enc, derr := intake.DecodeEncounter(bytes.NewReader(data))
		if derr != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, derr))
			continue
		}
		if probs := intake.Scrub(enc, scrub); len(probs) > 0 {
			for _, p := range probs {
				problems = append(problems, fmt.Sprintf("%s: %s: %s [%s]", name, pointerOrRoot(p.Pointer), p.Message, p.Code))
			}
			continue
		}
		id := renderClaimID(enc.ExternalID, filepath.Base(name))
		if prev, dup := seen[strings.ToUpper(id)]; dup {
			problems = append(problems, fmt.Sprintf("%s: claim id %s is already the claim id of %s (same external_id twice?)", name, id, prev))
			continue
		}
		seen[strings.ToUpper(id)] = name
		c, merr := enc.ToClaim(id)
		if merr != nil {
			var me *intake.MapError
			if errors.As(merr, &me) {
				for _, p := range me.Problems {
					problems = append(problems, fmt.Sprintf("%s: %s: %s", name, pointerOrRoot(p.Pointer), p.Message))
				}
			} else {
				problems = append(problems, fmt.Sprintf("%s: %v", name, merr))
			}
			continue
		}
		switch {
		case payerID == "":
			payerID, payerName = c.Payer.ID, c.Payer.Name
		case !strings.EqualFold(payerID, c.Payer.ID):
			problems = append(problems, fmt.Sprintf("%s: payer %s differs from %s of the first encounter; one interchange goes to one payer", name, c.Payer.ID, payerID))
			continue
		}
		claims = append(claims, c)
	}
	if len(problems) > 0 {
		return nil, "", "", problems
	}
	return claims, payerID, payerName, nil
}

func pointerOrRoot(p string) string {
	if p == "" {
		return "(document)"
	}
	return p
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// renderClaimID derives a claim id from an encounter's external id, or from its file name when
// it has none, so that rendering the same files twice gives the same bytes.
func renderClaimID(externalID, fileName string) string {
	id := strings.ToUpper(strings.TrimSpace(externalID))
	if id != "" && len(id) <= intake.MaxClaimIDLen && strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == "" {
		return id
	}
	src := externalID
	if strings.TrimSpace(src) == "" {
		src = fileName
	}
	sum := sha256.Sum256([]byte(src))
	return "CG" + strings.ToUpper(hex.EncodeToString(sum[:]))[:intake.MaxClaimIDLen-2]
}

// renderEnvelope returns the interchange envelope for payerID: from the configuration when one
// was found, else the documented defaults.
func renderEnvelope(cfg *config, payerID, payerName string) (x837.Interchange, error) {
	ic := x837.Interchange{
		Sender: x837.Sender{
			ISAQualifier: defaultQualifier, ISAID: defaultSenderID, GSID: defaultSenderID, Name: defaultSenderName,
			Contact: x837.Contact{Name: defaultContactName, Email: defaultContactEmail},
		},
		Receiver: x837.Receiver{ISAQualifier: defaultQualifier, ISAID: payerID, GSID: payerID, Name: payerName},
		Usage:    defaultUsage,
	}
	if ic.Receiver.Name == "" {
		ic.Receiver.Name = payerID
	}
	if cfg.source == "" {
		return ic, nil
	}
	if s := cfg.Submitter; s.ID != "" {
		ic.Sender = x837.Sender{
			ISAQualifier: s.ISAQualifier, ISAID: s.ID, GSID: s.ID, Name: s.Name,
			Contact: x837.Contact{Name: s.ContactName, Phone: s.ContactPhone, Email: s.ContactEmail},
		}
		if ic.Sender.Contact.Name == "" {
			ic.Sender.Contact.Name = s.Name
		}
	}
	if len(cfg.Payers) == 0 {
		return ic, nil
	}
	var p *payers.Payer
	for i := range cfg.Payers {
		if strings.EqualFold(cfg.Payers[i].ID, payerID) {
			p = &cfg.Payers[i]
		}
	}
	if p == nil {
		return ic, fmt.Errorf("%s: payer %q is not configured (payers: %s)", cfg.source, payerID, configuredPayerIDs(cfg))
	}
	r := p.Receiver
	ic.Receiver = x837.Receiver{ISAQualifier: r.ISAQualifier, ISAID: r.ISAID, GSID: r.GSID, Name: r.Name, ID: r.PayerID}
	if ic.Receiver.Name == "" {
		ic.Receiver.Name = p.Name
	}
	if ic.Receiver.Name == "" {
		ic.Receiver.Name = payerName
	}
	if p.Usage != "" {
		ic.Usage = p.Usage
	}
	return ic, nil
}

func configuredPayerIDs(cfg *config) string {
	ids := make([]string, 0, len(cfg.Payers))
	for _, p := range cfg.Payers {
		ids = append(ids, p.ID)
	}
	return strings.Join(ids, ", ")
}

// ---------------------------------------------------------------------------------------------
// input

// ediInput is the X12 input of parse and validate: a file, read afresh by each pass, or stdin,
// read once into memory.
type ediInput struct {
	name string // the path, or "stdin"
	path string // "" for stdin
	data []byte // stdin's bytes
}

func newEDIInput(e *env, arg string) (*ediInput, error) {
	if arg == "-" {
		data, err := io.ReadAll(e.stdin)
		if err != nil {
			return nil, fmt.Errorf("stdin: %w", err)
		}
		return &ediInput{name: "stdin", data: data}, nil
	}
	st, err := os.Stat(arg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", arg, unwrapPathError(err))
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", arg)
	}
	return &ediInput{name: arg, path: arg}, nil
}

// open returns a reader over the whole input, from its first byte.
func (in *ediInput) open() (io.ReadCloser, error) {
	if in.path == "" {
		return io.NopCloser(bytes.NewReader(in.data)), nil
	}
	f, err := os.Open(in.path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.path, unwrapPathError(err))
	}
	return struct {
		io.Reader
		io.Closer
	}{bufio.NewReaderSize(f, 64<<10), f}, nil
}

// ---------------------------------------------------------------------------------------------
// parse: the reading is edi/document's; its Document is the JSON printed.

const parseAbout = `
Parse an X12 file (835, 999, 277CA, 837P, 837I, TA1; other transaction types are listed with
their type and segment count) and print ONE JSON object on stdout:

  {"interchanges": [{"sender", "receiver", "control_number", "usage",
     "groups": [{"functional_id", "control_number", "version", "transactions": [...]}]}],
   "errors": [{"offset", "segment_index", "segment", "element", "code", "message"}]}

Each transaction has its "type" and "control_number"; every 835 has its "totals". A TA1 is
listed as a group with an empty functional_id holding one "TA1" transaction.

With --totals only the 835 totals are printed, streaming in constant memory:
  {"transactions": [{"interchange_control_number", "group_control_number", "control_number",
     "offset", "segment_index", "complete", "totals": {...}}], "totals": {...the file's sum...}}

Exit status: 0 when the input was read (problems are in "errors"), 2 when it cannot be read (a
missing file, an I/O error, no ISA segment, bytes that are not X12).
`

func runEDIParse(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "edi parse", "[flags] FILE | -", parseAbout)
	fs.Bool("json", true, "print JSON (the only output format; accepted for scripts that pass it)")
	totals := fs.Bool("totals", false, "print only the 835 totals, streaming, in constant memory")
	pretty := fs.Bool("pretty", false, "indent the JSON")
	pos, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return fs.fail(e, "want exactly one FILE (or - for stdin)")
	}
	if *totals {
		return parseTotals(e, pos[0])
	}
	in, err := newEDIInput(e, pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "claimgate edi parse: %v\n", err)
		return exitUnreadable
	}
	doc, err := document.Read(ctx, in.open, document.Options{})
	if err != nil {
		fmt.Fprintf(e.stderr, "claimgate edi parse: %v\n", err)
		return exitUnreadable
	}
	var buf bytes.Buffer
	enc := newJSONEncoder(&buf, *pretty)
	if err := enc.Encode(doc); err != nil {
		fmt.Fprintf(e.stderr, "claimgate edi parse: encoding JSON: %v\n", err)
		return exitFailure
	}
	if _, err := e.stdout.Write(buf.Bytes()); err != nil {
		fmt.Fprintf(e.stderr, "claimgate edi parse: %v\n", err)
		return exitFailure
	}
	if doc.Unreadable != nil {
		fmt.Fprintf(e.stderr, "claimgate edi parse: %s: %s\n", in.name, oneLine(doc.Unreadable.Error()))
		return exitUnreadable
	}
	return exitOK
}

func newJSONEncoder(w io.Writer, pretty bool) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if pretty {
		enc.SetIndent("", "  ")
	}
	return enc
}

// totalsLine is one 835 set of `edi parse --totals`.
type totalsLine struct {
	x835.TransactionInfo
	Totals x835.Totals `json:"totals"`
}

// parseTotals streams the 835 totals of the input: the JSON object is written as the sets go
// by, so memory does not grow with the input.
func parseTotals(e *env, arg string) int {
	var src io.Reader
	name := "stdin"
	if arg == "-" {
		src = e.stdin
	} else {
		f, err := os.Open(arg)
		if err != nil {
			fmt.Fprintf(e.stderr, "claimgate edi parse: %s: %v\n", arg, unwrapPathError(err))
			return exitUnreadable
		}
		defer f.Close()
		src, name = f, arg
	}
	out := bufio.NewWriter(e.stdout)
	var sum x835.Totals
	n := 0
	io.WriteString(out, `{"transactions":[`)
	readErr := x835.ReadTotals(src, func(info x835.TransactionInfo, t x835.Totals) error {
		b, err := json.Marshal(totalsLine{info, t})
		if err != nil {
			return err
		}
		if n > 0 {
			out.WriteByte(',')
		}
		n++
		sum.Add(t)
		_, err = out.Write(b)
		return err
	})
	if n == 0 {
		sum.Add(x835.Totals{}) // computes Balanced for the empty sum
	}
	tb, _ := json.Marshal(sum)
	io.WriteString(out, `],"totals":`)
	out.Write(tb)
	io.WriteString(out, "}\n")
	if err := out.Flush(); err != nil {
		fmt.Fprintf(e.stderr, "claimgate edi parse: %v\n", err)
		return exitFailure
	}
	if readErr != nil {
		fmt.Fprintf(e.stderr, "claimgate edi parse: %s: %s\n", name, oneLine(readErr.Error()))
		return exitUnreadable
	}
	return exitOK
}

// ---------------------------------------------------------------------------------------------
// validate

const validateAbout = `
Check an X12 file (envelopes, and the content of 835, 837, 999, 277CA and TA1) and write every problem
on stderr, one per line with its position, then a summary line.

Exit status: 0 valid, 1 invalid (problems found), 2 unreadable (a missing file, an I/O error,
no ISA segment, bytes that are not X12).

--ack999 OUT writes a 999 implementation acknowledgment of every functional group to OUT:
accepted sets, rejected sets with their problems as IK3/IK4 loops, addressed back to each
interchange's sender.
`

func runEDIValidate(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "edi validate", "[flags] FILE | -", validateAbout)
	ackPath := fs.String("ack999", "", "write a 999 acknowledgment to `file`")
	control := fs.Int64("control", defaultControlNumber, "ISA13/GS06 control `number` of the 999")
	at := fs.String("time", "", "date and `time` of the 999, RFC 3339 (default: now)")
	pos, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return fs.fail(e, "want exactly one FILE (or - for stdin)")
	}
	if *control < 1 || *control > 999999999 {
		return fs.fail(e, "--control %d must be between 1 and 999999999", *control)
	}
	when := time.Now().UTC()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return fs.fail(e, "--time %q is not an RFC 3339 time such as 2026-11-20T10:30:00Z", *at)
		}
		when = t.UTC()
	}
	in, err := newEDIInput(e, pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "claimgate edi validate: %v\n", err)
		return exitUnreadable
	}
	doc, err := document.Read(ctx, in.open, document.Options{DropRemittanceClaims: true})
	if err != nil {
		fmt.Fprintf(e.stderr, "claimgate edi validate: %v\n", err)
		return exitUnreadable
	}
	for _, pe := range doc.Problems {
		fmt.Fprintf(e.stderr, "%s: %s [%s]\n", in.name, oneLine(pe.Error()), pe.Code)
	}
	interchanges, groups, sets := doc.Counts()
	counts := fmt.Sprintf("%s, %s, %s", plural(interchanges, "interchange"), plural(groups, "group"), plural(sets, "transaction set"))
	if doc.Unreadable != nil {
		fmt.Fprintf(e.stderr, "%s: unreadable: %s (%s read)\n", in.name, oneLine(doc.Unreadable.Error()), counts)
		return exitUnreadable
	}
	result := exitOK
	if len(doc.Problems) > 0 {
		fmt.Fprintf(e.stderr, "%s: invalid: %s (%s)\n", in.name, plural(len(doc.Problems), "problem"), counts)
		result = exitInvalid
	} else {
		fmt.Fprintf(e.stderr, "%s: valid (%s)\n", in.name, counts)
	}
	if *ackPath != "" {
		if err := writeAck999(*ackPath, doc, *control, when); err != nil {
			fmt.Fprintf(e.stderr, "claimgate edi validate: %s\n", oneLine(err.Error()))
			return exitFailure
		}
	}
	return result
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// writeAck999 writes one 999 interchange per distinct sender/receiver pair of the input, each
// addressed back to the sender, with control numbers counting up from control.
func writeAck999(path string, doc *document.Document, control int64, when time.Time) error {
	groups, acks := doc.Acknowledge()
	if len(acks) == 0 {
		return fmt.Errorf("%s: the input has no functional group to acknowledge; no 999 written", path)
	}
	type route struct{ sq, sid, rq, rid, usage string }
	var order []route
	byRoute := map[route][]x999.FunctionalAck{}
	for i, g := range groups {
		rt := route{g.InterchangeSenderQualifier, g.InterchangeSender, g.InterchangeReceiverQualifier, g.InterchangeReceiver, g.Usage}
		if _, ok := byRoute[rt]; !ok {
			order = append(order, rt)
		}
		byRoute[rt] = append(byRoute[rt], acks[i])
	}
	var buf bytes.Buffer
	for i, rt := range order {
		n := control + int64(i)
		usage := rt.usage
		if usage != "P" {
			usage = "T"
		}
		env := x999.Envelope{
			Interchange: edi.ISAHeader{
				SenderQualifier: orDefault(rt.rq, defaultQualifier), SenderID: orDefault(rt.rid, defaultSenderID),
				ReceiverQualifier: orDefault(rt.sq, defaultQualifier), ReceiverID: orDefault(rt.sid, "UNKNOWN"),
				Time: when, ControlNumber: n, Usage: usage,
			},
			Group:      edi.GSHeader{Sender: orDefault(rt.rid, defaultSenderID), Receiver: orDefault(rt.sid, "UNKNOWN"), Time: when, ControlNumber: n},
			LineBreaks: true,
		}
		if err := x999.Write(&buf, env, byRoute[rt]...); err != nil {
			return err
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPathError(err))
	}
	return nil
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

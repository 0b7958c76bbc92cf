package x837

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/claimgate/claimgate/edi"
)

// claimGen builds random valid claims for property tests, from a fixed seed.
type claimGen struct {
	r *rand.Rand
	n int
}

func newClaimGen(seed uint64) *claimGen {
	return &claimGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (g *claimGen) chance(p float64) bool { return g.r.Float64() < p }

func (g *claimGen) pick(s ...string) string { return s[g.r.IntN(len(s))] }

const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func (g *claimGen) chars(set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[g.r.IntN(len(set))]
	}
	return string(b)
}

func (g *claimGen) digits(n int) string { return g.chars("0123456789", n) }

// word is a name-like value with inner spaces and punctuation the TR3 allows.
func (g *claimGen) word(max int) string {
	n := 1 + g.r.IntN(max)
	b := []byte(g.chars(upper, n))
	for i := 1; i < n-1; i++ {
		if g.chance(0.1) {
			b[i] = " -'.&#,/"[g.r.IntN(8)]
		}
	}
	return string(b)
}

func (g *claimGen) npi() string {
	for {
		s := g.digits(9)
		for d := 0; d < 10; d++ {
			if v := s + strconv.Itoa(d); ValidNPI(v) {
				return v
			}
		}
	}
}

func (g *claimGen) date() Date {
	return DateOf(time.Date(1930+g.r.IntN(96), time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.r.IntN(365)))
}

func (g *claimGen) address(zip9 bool) Address {
	a := Address{Line1: g.word(55), City: g.chars(upper, 1) + g.word(29), State: g.chars(upper, 2), PostalCode: g.digits(5)}
	if zip9 || g.chance(0.5) {
		a.PostalCode = g.digits(9)
	}
	if g.chance(0.3) {
		a.Line2 = g.word(55)
	}
	return a
}

func (g *claimGen) hour() string {
	return strconv.Itoa(10+g.r.IntN(14)) + strconv.Itoa(10+g.r.IntN(50))
}

func (g *claimGen) person(taxonomy bool) *Provider {
	p := &Provider{NPI: g.npi(), LastName: g.word(60)}
	if g.chance(0.8) {
		p.FirstName = g.word(35)
	}
	if g.chance(0.2) {
		p.MiddleName = g.word(25)
	}
	if taxonomy && g.chance(0.6) {
		p.Taxonomy = g.chars(alnum, 9) + "X"
	}
	return p
}

func (g *claimGen) billingProvider() BillingProvider {
	bp := BillingProvider{NPI: g.npi(), TaxID: g.digits(9), Address: g.address(true)}
	if g.chance(0.8) {
		bp.OrganizationName = g.word(60)
	} else {
		bp.LastName, bp.FirstName = g.word(60), g.word(35)
	}
	if g.chance(0.7) {
		bp.Taxonomy = g.chars(alnum, 9) + "X"
	}
	if g.chance(0.5) {
		bp.Contact = &Contact{Name: g.word(60), Phone: g.digits(10)}
		if g.chance(0.5) {
			bp.Contact.Email = "billing@example.com"
		}
	}
	if g.chance(0.2) {
		a := g.address(false)
		bp.PayToAddress = &a
	}
	return bp
}

func (g *claimGen) amount(max int) edi.Amount { return edi.Amount(g.r.IntN(max)) }

func (g *claimGen) units() string {
	if g.chance(0.8) {
		return strconv.Itoa(1 + g.r.IntN(20))
	}
	return strconv.Itoa(g.r.IntN(10)) + "." + g.digits(1+g.r.IntN(3))
}

// claim returns a random valid claim of type t; shared billing providers make claims group.
func (g *claimGen) claim(t ClaimType, bps []BillingProvider) Claim {
	g.n++
	prof := t == Professional
	c := Claim{
		Type:                 t,
		BillingProvider:      bps[g.r.IntN(len(bps))],
		Payer:                Payer{ID: g.chars(alnum, 5+g.r.IntN(5))},
		PatientControlNumber: "C" + strconv.Itoa(g.n) + g.chars(alnum, g.r.IntN(8)),
		Frequency:            g.pick("1", "7", "8"),
		AcceptAssignment:     g.pick("A", "B", "C"),
		BenefitsAssignment:   g.pick("Y", "N", "W"),
		ReleaseOfInformation: g.pick("I", "Y"),
	}
	if g.chance(0.7) {
		c.Payer.Name = g.word(60)
	}
	s := Subscriber{MemberID: g.chars(alnum, 2+g.r.IntN(20)), LastName: g.word(60)}
	if g.chance(0.9) {
		s.FirstName = g.word(35)
	}
	if g.chance(0.3) {
		s.MiddleName = g.word(25)
	}
	if g.chance(0.1) {
		s.Suffix = g.pick("JR", "SR", "III")
	}
	if g.chance(0.5) {
		s.GroupNumber = g.chars(alnum, 1+g.r.IntN(20))
	}
	if g.chance(0.3) {
		s.GroupName = g.word(60)
	}
	if g.chance(0.7) {
		s.ClaimFilingIndicator = g.pick("CI", "MB", "MC", "BL", "HM", "16")
	}
	if g.chance(0.7) {
		s.PayerResponsibility = g.pick("P", "S", "T")
	}
	if g.chance(0.7) {
		s.BirthDate, s.Gender = g.date(), g.pick("M", "F", "U")
		a := g.address(false)
		s.Address = &a
	} else {
		p := &Patient{Relationship: g.pick("01", "19", "G8"), LastName: g.word(60), BirthDate: g.date(), Gender: g.pick("M", "F", "U")}
		if g.chance(0.9) {
			p.FirstName = g.word(35)
		}
		if g.chance(0.2) {
			p.MiddleName, p.Suffix = g.word(25), g.pick("JR", "II")
		}
		a := g.address(false)
		p.Address = &a
		c.Patient = p
		if g.chance(0.5) {
			a := g.address(false)
			s.Address = &a
		}
	}
	c.Subscriber = s
	if c.Frequency != FrequencyOriginal || g.chance(0.1) {
		c.PayerClaimNumber = g.chars(alnum, 5+g.r.IntN(20))
	}
	if g.chance(0.2) {
		c.PriorAuthorization = g.chars(alnum, 1+g.r.IntN(30))
	}
	if g.chance(0.2) {
		c.ReferralNumber = g.chars(alnum, 1+g.r.IntN(30))
	}
	if g.chance(0.2) {
		c.Note = g.word(80)
	}
	maxDiag := 12
	if !prof {
		maxDiag = 25
	}
	nd := 1 + g.r.IntN(maxDiag)
	if g.chance(0.5) {
		nd = 1 + g.r.IntN(4)
	}
	for i := 0; i < nd; i++ {
		c.Diagnoses = append(c.Diagnoses, g.chars(upper, 1)+g.digits(2)+g.chars(alnum, g.r.IntN(5)))
	}
	if g.chance(0.3) {
		c.RenderingProvider = g.person(prof)
		if prof && g.chance(0.2) {
			c.RenderingProvider = &Provider{NPI: g.npi(), OrganizationName: g.word(60)}
		}
	}
	if g.chance(0.2) {
		c.ReferringProvider = g.person(false)
	}
	if g.chance(0.2) {
		c.ServiceFacility = &ServiceFacility{Name: g.word(60), Address: g.address(true)}
		if g.chance(0.5) {
			c.ServiceFacility.NPI = g.npi()
		}
	}
	if prof {
		g.professional(&c)
	} else {
		g.institutional(&c)
	}
	var total edi.Amount
	for _, l := range c.Lines {
		total += l.Charge
	}
	c.TotalCharge = total
	return c
}

func (g *claimGen) professional(c *Claim) {
	c.PlaceOfService = g.pick("11", "21", "22", "02", "81")
	c.ProviderSignatureOnFile = g.chance(0.9)
	if g.chance(0.3) {
		c.OnsetDate = g.date()
	}
	if g.chance(0.15) {
		a := &Accident{Type: g.pick("AA", "EM", "OA")}
		if a.Type == AccidentAuto || g.chance(0.3) {
			a.State = g.chars(upper, 2)
		}
		if a.Type != AccidentEmployment || g.chance(0.5) {
			a.Date = g.date()
		}
		c.Accident = a
	}
	n := 1 + g.r.IntN(6)
	if g.chance(0.05) {
		n = 50
	}
	for i := 0; i < n; i++ {
		l := ServiceLine{
			ControlNumber: c.PatientControlNumber + "-" + strconv.Itoa(i+1),
			ProcedureCode: g.digits(5),
			Charge:        g.amount(500000),
			Units:         g.units(),
			ServiceDate:   g.date(),
		}
		if g.chance(0.2) {
			l.ProcedureCode = g.chars(upper, 1) + g.digits(4)
		}
		for m := g.r.IntN(5); m > 0; m-- {
			l.Modifiers = append(l.Modifiers, g.chars(alnum, 2))
		}
		if g.chance(0.5) {
			l.UnitType = g.pick("UN", "MJ")
		}
		if g.chance(0.2) {
			l.ServiceDateEnd = l.ServiceDate.addDays(1 + g.r.IntN(30))
		}
		np := 1 + g.r.IntN(4)
		for p := 0; p < np; p++ {
			l.DiagnosisPointers = append(l.DiagnosisPointers, 1+g.r.IntN(len(c.Diagnoses)))
		}
		if g.chance(0.1) {
			l.PlaceOfService = g.pick("11", "22")
		}
		if g.chance(0.1) {
			l.NDC = &NDC{Code: g.digits(11), Quantity: g.units(), Unit: g.pick("F2", "GR", "ME", "ML", "UN")}
		}
		if g.chance(0.1) {
			l.RenderingProvider = g.person(true)
		}
		if g.chance(0.1) {
			l.Note = g.word(80)
		}
		c.Lines = append(c.Lines, l)
	}
}

func (g *claimGen) institutional(c *Claim) {
	c.FacilityType = g.pick("11", "13", "14", "21", "83")
	from := g.date()
	c.StatementPeriod = &Period{From: from, To: from.addDays(g.r.IntN(10))}
	c.Admission = &Admission{Type: g.pick("1", "2", "3", "9")}
	c.PatientStatus = g.pick("01", "02", "20", "30")
	if g.chance(0.5) {
		c.Admission.Date = from
		c.Admission.Source = g.pick("1", "2", "7")
		if g.chance(0.5) {
			c.Admission.Hour = g.hour()
		}
		if g.chance(0.5) {
			c.AdmittingDiagnosis = g.chars(upper, 1) + g.digits(4)
		}
	}
	if g.chance(0.3) {
		c.DischargeHour = g.hour()
	}
	if g.chance(0.1) {
		c.Accident = &Accident{Type: AccidentAuto, State: g.chars(upper, 2)}
	}
	for n := g.r.IntN(4); n > 0; n-- {
		c.Procedures = append(c.Procedures, Procedure{Code: g.chars(alnum, 7), Date: from})
	}
	if g.chance(0.05) {
		for n := 0; n < 25; n++ {
			c.Procedures = append(c.Procedures, Procedure{Code: g.chars(alnum, 7), Date: from})
		}
		c.Procedures = c.Procedures[:25]
	}
	for n := g.r.IntN(4); n > 0; n-- {
		c.ConditionCodes = append(c.ConditionCodes, g.chars(alnum, 2))
	}
	for n := g.r.IntN(3); n > 0; n-- {
		c.OccurrenceCodes = append(c.OccurrenceCodes, Occurrence{Code: g.digits(2), Date: g.date()})
	}
	for n := g.r.IntN(3); n > 0; n-- {
		c.ValueCodes = append(c.ValueCodes, ValueCode{Code: g.chars(alnum, 2), Amount: g.amount(1000000)})
	}
	c.AttendingProvider = g.person(true)
	if c.RenderingProvider != nil {
		c.RenderingProvider.Taxonomy = "" // 2310D has no PRV
	}
	n := 1 + g.r.IntN(8)
	if g.chance(0.03) {
		n = 120
	}
	for i := 0; i < n; i++ {
		l := ServiceLine{
			ControlNumber: c.PatientControlNumber + "-" + strconv.Itoa(i+1),
			RevenueCode:   "0" + strconv.Itoa(100+g.r.IntN(900)),
			Charge:        g.amount(2000000),
			Units:         g.units(),
		}
		if g.chance(0.6) {
			l.ProcedureCode = g.digits(5)
			for m := g.r.IntN(3); m > 0; m-- {
				l.Modifiers = append(l.Modifiers, g.chars(alnum, 2))
			}
		}
		if g.chance(0.5) {
			l.UnitType = g.pick("UN", "DA")
		}
		if g.chance(0.8) {
			l.ServiceDate = from
			if g.chance(0.3) {
				l.ServiceDateEnd = from.addDays(1 + g.r.IntN(5))
			}
		}
		if g.chance(0.1) {
			l.NDC = &NDC{Code: g.digits(11), Quantity: g.units(), Unit: g.pick("F2", "GR", "ME", "ML", "UN")}
		}
		if g.chance(0.1) {
			l.RenderingProvider = g.person(false)
		}
		if g.chance(0.1) {
			l.Note = g.word(80)
		}
		c.Lines = append(c.Lines, l)
	}
}

// interchange returns an interchange of n random claims of both types.
func (g *claimGen) interchange(n int) *Interchange {
	bps := make([]BillingProvider, 1+g.r.IntN(3))
	for i := range bps {
		bps[i] = g.billingProvider()
	}
	claims := make([]Claim, n)
	for i := range claims {
		t := Professional
		if g.chance(0.4) {
			t = Institutional
		}
		claims[i] = g.claim(t, bps)
	}
	ic := testInterchange(claims...)
	ic.ControlNumbers = ControlNumbers{ISA: int64(1 + g.r.IntN(999999)), GS: int64(1 + g.r.IntN(9999)), ST: int64(1 + g.r.IntN(9999))}
	return ic
}

// addDays returns the date n days after d.
func (d Date) addDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n))
}

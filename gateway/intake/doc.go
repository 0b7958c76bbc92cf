// Package intake is the front door for coded encounters: the encounter JSON contract
// (Encounter, DecodeEncounter), scrubbing (every problem with a JSON pointer, a stable code and
// a sentence a billing clerk can act on) and the mapping of an accepted encounter onto the X12
// claim model (edi/x837) that batching renders.
//
// It holds no state and touches no store: the API calls it, then persists the claim.
package intake

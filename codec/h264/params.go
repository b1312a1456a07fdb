package h264

import "bytes"

// ParamSets keeps the latest SPS and PPS seen in a stream so that they can
// be put in front of every IDR. Cameras that send them only once, or only
// with some IDRs, would otherwise leave later viewers unable to decode.
//
// It tracks one SPS and one PPS, which is what camera encoders emit.
type ParamSets struct {
	sps, pps []byte
}

// Observe records the parameter sets among nalus and reports whether
// either changed.
func (p *ParamSets) Observe(nalus [][]byte) bool {
	changed := false
	for _, n := range nalus {
		switch TypeOf(n) {
		case NALUTypeSPS:
			if !bytes.Equal(p.sps, n) {
				p.sps, changed = bytes.Clone(n), true
			}
		case NALUTypePPS:
			if !bytes.Equal(p.pps, n) {
				p.pps, changed = bytes.Clone(n), true
			}
		}
	}
	return changed
}

// SPS returns the latest sequence parameter set, or nil.
func (p *ParamSets) SPS() []byte { return p.sps }

// PPS returns the latest picture parameter set, or nil.
func (p *ParamSets) PPS() []byte { return p.pps }

// Ready reports whether both an SPS and a PPS have been seen.
func (p *ParamSets) Ready() bool { return p.sps != nil && p.pps != nil }

// Complete returns au with the latest SPS and PPS in front of its first
// slice when it lacks them. au itself is not modified.
func (p *ParamSets) Complete(au AccessUnit) AccessUnit {
	var hasSPS, hasPPS bool
	for _, n := range au.NALUs {
		switch TypeOf(n) {
		case NALUTypeSPS:
			hasSPS = true
		case NALUTypePPS:
			hasPPS = true
		}
	}
	if (hasSPS && hasPPS) || !p.Ready() {
		return au
	}
	out := AccessUnit{IDR: au.IDR, NALUs: make([][]byte, 0, len(au.NALUs)+2)}
	inserted := false
	for _, n := range au.NALUs {
		if !inserted && IsVCL(TypeOf(n)) {
			if !hasSPS {
				out.NALUs = append(out.NALUs, p.sps)
			}
			if !hasPPS {
				out.NALUs = append(out.NALUs, p.pps)
			}
			inserted = true
		}
		out.NALUs = append(out.NALUs, n)
	}
	return out
}

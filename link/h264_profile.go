package link

import (
	"encoding/hex"
	"strings"
)

// h264Class groups H.264 profiles by which decoders can play them.
type h264Class int

const (
	classOther h264Class = iota
	classConstrainedBaseline
	classBaseline
	classMain
	classHigh
)

// classOf classifies profile_idc and its constraint flags (H.264 A.2).
func classOf(idc, iop byte) h264Class {
	switch idc {
	case 66:
		if iop&0x40 != 0 { // constraint_set1: constrained baseline
			return classConstrainedBaseline
		}
		return classBaseline
	case 77:
		return classMain
	case 100:
		return classHigh
	}
	return classOther
}

// decodersOf lists, best first, the decoder classes that play a stream
// of class c: the same profile, then the nearest that contains it.
func decodersOf(c h264Class) []h264Class {
	switch c {
	case classConstrainedBaseline:
		return []h264Class{classConstrainedBaseline, classBaseline, classMain, classHigh}
	case classMain:
		return []h264Class{classMain, classHigh}
	}
	return []h264Class{c}
}

// fmtpParam returns the value of key in an fmtp line.
func fmtpParam(line, key string) string {
	for _, kv := range strings.Split(line, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// ChooseH264 picks, among the fmtp lines of the H.264 codecs a viewer
// offers, the one to send a stream with: the one whose profile
// (profile_idc and constraint flags) is the stream's, else the closest
// profile that can decode it (a constrained baseline stream plays on a
// baseline, main or high decoder). sps is the stream's sequence
// parameter set NAL unit; nil means unknown, taken as constrained
// baseline. Only packetization-mode=1 codecs are considered. ok is false
// when no offered profile can decode the stream: then line is the first
// packetization-mode=1 codec, if any, a best effort.
func ChooseH264(sps []byte, offered []string) (line string, ok bool) {
	idc, iop := byte(66), byte(0xe0)
	if len(sps) >= 4 {
		idc, iop = sps[1], sps[2]
	}
	type cand struct {
		line     string
		idc, iop byte
	}
	var cands []cand
	for _, l := range offered {
		if fmtpParam(l, "packetization-mode") != "1" {
			continue
		}
		b, err := hex.DecodeString(fmtpParam(l, "profile-level-id"))
		if err != nil || len(b) != 3 {
			continue
		}
		cands = append(cands, cand{l, b[0], b[1]})
	}
	if len(cands) == 0 {
		return "", false
	}
	for _, c := range cands {
		if c.idc == idc && c.iop == iop {
			return c.line, true
		}
	}
	for _, want := range decodersOf(classOf(idc, iop)) {
		if want == classOther {
			break
		}
		for _, c := range cands {
			if classOf(c.idc, c.iop) == want {
				return c.line, true
			}
		}
	}
	return cands[0].line, false
}

package aac

// toolStats counts the coding tools met, for tests to check that a stream
// exercised them.
type toolStats struct {
	frames, short, kbd, tns, pulse, noise, intensity, ms int
}

// count updates the tool statistics for the frame just parsed.
func (d *Decoder) count(nch int) {
	s := &d.stats
	s.frames++
	for c := range nch {
		ch := &d.ch[c]
		if ch.info.short() {
			s.short++
		}
		if ch.info.windowShape == shapeKBD {
			s.kbd++
		}
		if ch.hasTNS {
			s.tns++
		}
		if ch.hasPulse {
			s.pulse++
		}
		for g := range ch.info.numGroups {
			for b := range ch.info.maxSFB {
				switch ch.cb[g][b] {
				case noiseHCB:
					s.noise++
				case intensityHCB, intensityHCB2:
					s.intensity++
				}
				if c == 1 && d.msUsed[g][b] {
					s.ms++
				}
			}
		}
	}
}

package aac

// sampleRates is table 1.18 of ISO/IEC 14496-3, by samplingFrequencyIndex.
var sampleRates = [13]int{96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}

// rateIndex returns the samplingFrequencyIndex of an exact rate, or -1.
func rateIndex(rate int) int {
	for i, r := range sampleRates {
		if r == rate {
			return i
		}
	}
	return -1
}

// tableIndex maps any sampling rate to the index whose band tables it
// uses (ISO/IEC 14496-3 table 4.82, for explicitly coded rates).
func tableIndex(rate int) int {
	bounds := [...]int{92017, 75132, 55426, 46009, 37566, 27713, 23004, 18783, 13856, 11502, 9391}
	for i, b := range bounds {
		if rate >= b {
			return i
		}
	}
	return 11
}

// Scalefactor band offsets, tables 4.129 to 4.147 of ISO/IEC 14496-3,
// for 1024-line long windows and 128-line short windows. The last entry
// of each is the window length.
var (
	swbLong96 = []uint16{0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 64, 72, 80, 88, 96, 108, 120, 132, 144, 156, 172, 188, 212, 240, 276, 320, 384, 448, 512, 576, 640, 704, 768, 832, 896, 960, 1024}
	swbLong64 = []uint16{0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 64, 72, 80, 88, 100, 112, 124, 140, 156, 172, 192, 216, 240, 268, 304, 344, 384, 424, 464, 504, 544, 584, 624, 664, 704, 744, 784, 824, 864, 904, 944, 984, 1024}
	swbLong48 = []uint16{0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 56, 64, 72, 80, 88, 96, 108, 120, 132, 144, 160, 176, 196, 216, 240, 264, 292, 320, 352, 384, 416, 448, 480, 512, 544, 576, 608, 640, 672, 704, 736, 768, 800, 832, 864, 896, 928, 1024}
	swbLong32 = []uint16{0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 56, 64, 72, 80, 88, 96, 108, 120, 132, 144, 160, 176, 196, 216, 240, 264, 292, 320, 352, 384, 416, 448, 480, 512, 544, 576, 608, 640, 672, 704, 736, 768, 800, 832, 864, 896, 928, 960, 992, 1024}
	swbLong24 = []uint16{0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 52, 60, 68, 76, 84, 92, 100, 108, 116, 124, 136, 148, 160, 172, 188, 204, 220, 240, 260, 284, 308, 336, 364, 396, 432, 468, 508, 552, 600, 652, 704, 768, 832, 896, 960, 1024}
	swbLong16 = []uint16{0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 100, 112, 124, 136, 148, 160, 172, 184, 196, 212, 228, 244, 260, 280, 300, 320, 344, 368, 396, 424, 456, 492, 532, 572, 616, 664, 716, 772, 832, 896, 960, 1024}
	swbLong8  = []uint16{0, 12, 24, 36, 48, 60, 72, 84, 96, 108, 120, 132, 144, 156, 172, 188, 204, 220, 236, 252, 268, 288, 308, 328, 348, 372, 396, 420, 448, 476, 508, 544, 580, 620, 664, 712, 764, 820, 880, 944, 1024}

	swbShort96 = []uint16{0, 4, 8, 12, 16, 20, 24, 32, 40, 48, 64, 92, 128}
	swbShort48 = []uint16{0, 4, 8, 12, 16, 20, 28, 36, 44, 56, 68, 80, 96, 112, 128}
	swbShort24 = []uint16{0, 4, 8, 12, 16, 20, 24, 28, 36, 44, 52, 64, 76, 92, 108, 128}
	swbShort16 = []uint16{0, 4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 60, 72, 88, 108, 128}
	swbShort8  = []uint16{0, 4, 8, 12, 16, 20, 24, 28, 36, 44, 52, 60, 72, 88, 108, 128}
)

// swbLong and swbShort give the band offsets by table index (0 to 12).
var (
	swbLong  = [13][]uint16{swbLong96, swbLong96, swbLong64, swbLong48, swbLong48, swbLong32, swbLong24, swbLong24, swbLong16, swbLong16, swbLong16, swbLong8, swbLong8}
	swbShort = [13][]uint16{swbShort96, swbShort96, swbShort96, swbShort48, swbShort48, swbShort48, swbShort24, swbShort24, swbShort16, swbShort16, swbShort16, swbShort8, swbShort8}
)

// TNS band limits for AAC-LC, table 4.156 of ISO/IEC 14496-3, by table
// index, and the maximum filter orders.
var (
	tnsMaxBandsLong  = [13]int{31, 31, 34, 40, 42, 51, 46, 46, 42, 42, 42, 39, 39}
	tnsMaxBandsShort = [13]int{9, 9, 10, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14}
)

const (
	tnsMaxOrderLong  = 12
	tnsMaxOrderShort = 7
)

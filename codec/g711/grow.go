package g711

import "slices"

// grow extends dst by n bytes, reallocating only when capacity is short.
func grow(dst []byte, n int) []byte {
	return slices.Grow(dst, n)[:len(dst)+n]
}

// growPCM extends dst by n samples, reallocating only when capacity is
// short.
func growPCM(dst []int16, n int) []int16 {
	return slices.Grow(dst, n)[:len(dst)+n]
}

// Package record keeps the camera's own recordings: it writes one stream
// continuously into FLV segments of up to a minute, keeps an index of
// them (rebuilt from the directory at start, the segment being written
// included), deletes the oldest to stay within a size quota and an age,
// and reads them back for playback and download.
//
// docs/recording.md describes the on-disk format, the fsync policy and
// why the segments are FLV.
package record

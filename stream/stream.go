// Package stream fans frames from one source out to many viewers.
//
// A Hub serves one (channel, quality) stream. It starts its source when the
// first subscriber arrives and stops it an idle timeout after the last one
// leaves. It keeps the current group of pictures (GOP), from the latest
// keyframe on, so a new subscriber can start decoding at once. Each
// subscriber has a bounded queue: a subscriber that falls behind loses its
// queue and skips to the next keyframe, and the dropped frames are counted.
// Publishing never waits for a subscriber, so a slow viewer never holds up
// capture or the other viewers.
package stream

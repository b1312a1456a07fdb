//go:build linux

package v4l2

// Control classes, the top bits of a control ID.
const (
	CtrlClassUser   uint32 = 0x00980000
	CtrlClassCodec  uint32 = 0x00990000 // called MPEG in older headers
	CtrlClassCamera uint32 = 0x009a0000
)

// ctrlClassMask extracts the class of a control ID (V4L2_CTRL_ID2WHICH).
const ctrlClassMask = 0x0fff0000

// Control IDs p2pcam uses. The codec ones apply to encoders: UVC H.264
// cameras expose few or none of them, M2M encoders most.
const (
	CIDBrightness         uint32 = 0x00980900
	CIDContrast           uint32 = 0x00980901
	CIDSaturation         uint32 = 0x00980902
	CIDHFlip              uint32 = 0x00980914
	CIDVFlip              uint32 = 0x00980915
	CIDPowerLineFrequency uint32 = 0x00980918
	CIDExposureAuto       uint32 = 0x009a0901
	CIDExposureAbsolute   uint32 = 0x009a0902
	CIDVideoGOPSize       uint32 = 0x009909cb // V4L2_CID_MPEG_VIDEO_GOP_SIZE
	CIDVideoBitrateMode   uint32 = 0x009909ce // V4L2_CID_MPEG_VIDEO_BITRATE_MODE: 0 VBR, 1 CBR
	CIDVideoBitrate       uint32 = 0x009909cf // V4L2_CID_MPEG_VIDEO_BITRATE, bits per second
	CIDVideoBitratePeak   uint32 = 0x009909d0 // V4L2_CID_MPEG_VIDEO_BITRATE_PEAK
	CIDVideoRepeatSeqHdr  uint32 = 0x009909e2 // V4L2_CID_MPEG_VIDEO_REPEAT_SEQ_HEADER
	CIDVideoForceKeyFrame uint32 = 0x009909e5 // V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME (button)
	CIDVideoH264IPeriod   uint32 = 0x00990a66 // V4L2_CID_MPEG_VIDEO_H264_I_PERIOD
	CIDVideoH264Level     uint32 = 0x00990a67 // V4L2_CID_MPEG_VIDEO_H264_LEVEL
	CIDVideoH264Profile   uint32 = 0x00990a6b // V4L2_CID_MPEG_VIDEO_H264_PROFILE
	CIDVideoPrependSPSPPS uint32 = 0x00990b84 // V4L2_CID_MPEG_VIDEO_PREPEND_SPSPPS_TO_IDR
)

// Control flags and selectors used in requests.
const (
	ctrlFlagNextCtrl     uint32 = 0x80000000 // V4L2_CTRL_FLAG_NEXT_CTRL
	ctrlFlagNextCompound uint32 = 0x40000000 // V4L2_CTRL_FLAG_NEXT_COMPOUND
	ctrlWhichCurVal      uint32 = 0          // V4L2_CTRL_WHICH_CUR_VAL
	ctrlIDMask           uint32 = 0x0fffffff // the ID bits of a query's id field
)

// H.264 profiles, enum v4l2_mpeg_video_h264_profile.
const (
	H264ProfileBaseline            int64 = 0
	H264ProfileConstrainedBaseline int64 = 1
	H264ProfileMain                int64 = 2
	H264ProfileHigh                int64 = 4
	H264ProfileConstrainedHigh     int64 = 17
)

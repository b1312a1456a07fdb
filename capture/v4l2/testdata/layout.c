/*
 * layout.c prints the sizes, a few field offsets and the ioctl request
 * numbers of the V4L2 uAPI structs that package v4l2 mirrors, as seen by
 * the C compiler for the target it is built for. It is the ground truth
 * for the pinned tables in layout_test.go; see gen-layout.sh.
 *
 * It is not built by the Go tool (testdata is ignored).
 */
#include <stddef.h>
#include <stdio.h>
#include <linux/videodev2.h>

#define SZ(t) printf("size %-24s %zu\n", #t, sizeof(struct t))
#define OFF(t, f) printf("off  %-24s %-14s %zu\n", #t, #f, offsetof(struct t, f))
#define IOC(n) printf("ioc  %-24s 0x%08lx\n", #n, (unsigned long)(n))

int main(void)
{
	SZ(v4l2_capability);
	SZ(v4l2_fmtdesc);
	SZ(v4l2_pix_format);
	SZ(v4l2_pix_format_mplane);
	SZ(v4l2_format);
	SZ(v4l2_frmsizeenum);
	SZ(v4l2_frmivalenum);
	SZ(v4l2_requestbuffers);
	SZ(v4l2_plane);
	SZ(v4l2_buffer);
	SZ(v4l2_streamparm);
	SZ(v4l2_queryctrl);
	SZ(v4l2_query_ext_ctrl);
	SZ(v4l2_control);
	SZ(v4l2_ext_control);
	SZ(v4l2_ext_controls);
	SZ(v4l2_encoder_cmd);
	SZ(v4l2_querymenu);

	OFF(v4l2_format, fmt);
	OFF(v4l2_pix_format_mplane, plane_fmt);
	OFF(v4l2_pix_format_mplane, num_planes);
	OFF(v4l2_plane, m);
	OFF(v4l2_plane, data_offset);
	OFF(v4l2_buffer, timestamp);
	OFF(v4l2_buffer, timecode);
	OFF(v4l2_buffer, sequence);
	OFF(v4l2_buffer, memory);
	OFF(v4l2_buffer, m);
	OFF(v4l2_buffer, length);
	OFF(v4l2_buffer, request_fd);
	OFF(v4l2_streamparm, parm);
	OFF(v4l2_query_ext_ctrl, minimum);
	OFF(v4l2_query_ext_ctrl, flags);
	OFF(v4l2_query_ext_ctrl, dims);
	OFF(v4l2_ext_control, value);
	OFF(v4l2_ext_controls, controls);
	OFF(v4l2_frmsizeenum, discrete);
	OFF(v4l2_frmivalenum, discrete);

	IOC(VIDIOC_QUERYCAP);
	IOC(VIDIOC_ENUM_FMT);
	IOC(VIDIOC_G_FMT);
	IOC(VIDIOC_S_FMT);
	IOC(VIDIOC_TRY_FMT);
	IOC(VIDIOC_ENUM_FRAMESIZES);
	IOC(VIDIOC_ENUM_FRAMEINTERVALS);
	IOC(VIDIOC_REQBUFS);
	IOC(VIDIOC_QUERYBUF);
	IOC(VIDIOC_QBUF);
	IOC(VIDIOC_DQBUF);
	IOC(VIDIOC_STREAMON);
	IOC(VIDIOC_STREAMOFF);
	IOC(VIDIOC_G_PARM);
	IOC(VIDIOC_S_PARM);
	IOC(VIDIOC_QUERYCTRL);
	IOC(VIDIOC_G_CTRL);
	IOC(VIDIOC_S_CTRL);
	IOC(VIDIOC_G_EXT_CTRLS);
	IOC(VIDIOC_S_EXT_CTRLS);
	IOC(VIDIOC_QUERY_EXT_CTRL);
	IOC(VIDIOC_ENCODER_CMD);
	IOC(VIDIOC_QUERYMENU);
	return 0;
}

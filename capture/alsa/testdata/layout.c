/*
 * layout.c prints the sizes, the field offsets and the ioctl request
 * numbers of the ALSA uAPI structs that package alsa mirrors, as the C
 * compiler lays them out from <sound/asound.h> for the target it is built
 * for. It is the ground truth of the pinned tables in layout_test.go; see
 * gen-layout.sh.
 *
 * It is not built by the Go tool (testdata is ignored).
 */
#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sound/asound.h>

#define SZ(t) printf("size %-20s %zu\n", #t, sizeof(struct t))
#define OFF(t, f) printf("off  %-20s %-16s %zu\n", #t, #f, offsetof(struct t, f))
#define IOC(n) printf("ioc  %-36s 0x%08lx\n", #n, (unsigned long)(n))

int main(void)
{
	SZ(snd_pcm_info);
	SZ(snd_interval);
	SZ(snd_mask);
	SZ(snd_pcm_hw_params);
	SZ(snd_pcm_sw_params);
	SZ(snd_pcm_status);
	SZ(snd_xferi);
	SZ(snd_ctl_card_info);
	printf("size %-20s %zu\n", "time_t", sizeof(time_t));
	printf("size %-20s %zu\n", "snd_pcm_sframes_t", sizeof(snd_pcm_sframes_t));

	OFF(snd_pcm_info, id);
	OFF(snd_pcm_info, name);
	OFF(snd_pcm_info, subname);
	OFF(snd_pcm_info, dev_class);
	OFF(snd_pcm_info, subdevices_count);
	OFF(snd_pcm_info, sync);
	OFF(snd_pcm_info, reserved);
	OFF(snd_pcm_hw_params, masks);
	OFF(snd_pcm_hw_params, mres);
	OFF(snd_pcm_hw_params, intervals);
	OFF(snd_pcm_hw_params, ires);
	OFF(snd_pcm_hw_params, rmask);
	OFF(snd_pcm_hw_params, cmask);
	OFF(snd_pcm_hw_params, info);
	OFF(snd_pcm_hw_params, msbits);
	OFF(snd_pcm_hw_params, rate_num);
	OFF(snd_pcm_hw_params, rate_den);
	OFF(snd_pcm_hw_params, fifo_size);
	OFF(snd_pcm_hw_params, reserved);
	OFF(snd_pcm_sw_params, avail_min);
	OFF(snd_pcm_sw_params, xfer_align);
	OFF(snd_pcm_sw_params, start_threshold);
	OFF(snd_pcm_sw_params, stop_threshold);
	OFF(snd_pcm_sw_params, silence_threshold);
	OFF(snd_pcm_sw_params, silence_size);
	OFF(snd_pcm_sw_params, boundary);
	OFF(snd_pcm_sw_params, proto);
	OFF(snd_pcm_sw_params, tstamp_type);
	OFF(snd_pcm_sw_params, reserved);
	OFF(snd_pcm_status, trigger_tstamp);
	OFF(snd_pcm_status, tstamp);
	OFF(snd_pcm_status, appl_ptr);
	OFF(snd_pcm_status, hw_ptr);
	OFF(snd_pcm_status, delay);
	OFF(snd_pcm_status, avail);
	OFF(snd_pcm_status, avail_max);
	OFF(snd_pcm_status, overrange);
	OFF(snd_pcm_status, suspended_state);
	OFF(snd_pcm_status, audio_tstamp_data);
	OFF(snd_pcm_status, audio_tstamp);
	OFF(snd_pcm_status, driver_tstamp);
	OFF(snd_pcm_status, audio_tstamp_accuracy);
	OFF(snd_pcm_status, reserved);
	OFF(snd_xferi, buf);
	OFF(snd_xferi, frames);
	OFF(snd_ctl_card_info, id);
	OFF(snd_ctl_card_info, driver);
	OFF(snd_ctl_card_info, name);
	OFF(snd_ctl_card_info, longname);
	OFF(snd_ctl_card_info, mixername);
	OFF(snd_ctl_card_info, components);

	IOC(SNDRV_PCM_IOCTL_PVERSION);
	IOC(SNDRV_PCM_IOCTL_INFO);
	IOC(SNDRV_PCM_IOCTL_USER_PVERSION);
	IOC(SNDRV_PCM_IOCTL_HW_REFINE);
	IOC(SNDRV_PCM_IOCTL_HW_PARAMS);
	IOC(SNDRV_PCM_IOCTL_HW_FREE);
	IOC(SNDRV_PCM_IOCTL_SW_PARAMS);
	IOC(SNDRV_PCM_IOCTL_STATUS);
	IOC(SNDRV_PCM_IOCTL_DELAY);
	IOC(SNDRV_PCM_IOCTL_PREPARE);
	IOC(SNDRV_PCM_IOCTL_RESET);
	IOC(SNDRV_PCM_IOCTL_START);
	IOC(SNDRV_PCM_IOCTL_DROP);
	IOC(SNDRV_PCM_IOCTL_DRAIN);
	IOC(SNDRV_PCM_IOCTL_RESUME);
	IOC(SNDRV_PCM_IOCTL_WRITEI_FRAMES);
	IOC(SNDRV_PCM_IOCTL_READI_FRAMES);
	IOC(SNDRV_CTL_IOCTL_PVERSION);
	IOC(SNDRV_CTL_IOCTL_CARD_INFO);
	IOC(SNDRV_CTL_IOCTL_PCM_NEXT_DEVICE);
	IOC(SNDRV_CTL_IOCTL_PCM_INFO);
	IOC(SNDRV_CTL_IOCTL_PCM_PREFER_SUBDEVICE);
	printf("ver  %-36s 0x%08x\n", "SNDRV_PCM_VERSION", SNDRV_PCM_VERSION);
	printf("ver  %-36s 0x%08x\n", "SNDRV_CTL_VERSION", SNDRV_CTL_VERSION);
	return 0;
}

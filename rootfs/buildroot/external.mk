include $(sort $(wildcard $(BR2_EXTERNAL_P2PCAM_PATH)/package/*/*.mk))

################################################################################
#
# p2pcamd
#
################################################################################

# The source is the checkout that holds this external tree
# (<repo>/rootfs/buildroot). For a release build, point P2PCAMD_SITE at a
# tarball instead: then Buildroot vendors the Go modules at download time.
P2PCAMD_SITE = $(realpath $(BR2_EXTERNAL_P2PCAM_PATH)/../..)
P2PCAMD_SITE_METHOD = local
# A release's version (MAJOR.MINOR.PATCH, which OTA updates compare) or
# else git describe.
P2PCAMD_VERSION := $(or $(call qstrip,$(BR2_PACKAGE_P2PCAMD_RELEASE_VERSION)),$(shell git -C $(P2PCAMD_SITE) describe --tags --always --dirty 2>/dev/null || echo dev))
# TODO: set once the repository has a LICENSE file.
# P2PCAMD_LICENSE =
# P2PCAMD_LICENSE_FILES = LICENSE

P2PCAMD_GOMOD = github.com/p2pcam/p2pcam
P2PCAMD_BUILD_TARGETS = cmd/p2pcamd
# Static and libc-free like scripts/cross-build.sh; -trimpath is added by
# the golang infrastructure.
P2PCAMD_GO_ENV = CGO_ENABLED=0
P2PCAMD_LDFLAGS = -s -w -X main.version=$(P2PCAMD_VERSION)
# The camera build, as scripts/cross-build.sh makes it (docs/size.md): the
# sim clips left out (BR2_PACKAGE_P2PCAMD_SIM_CLIPS installs them as
# files), net/http without HTTP/2, and no inlining in the set-up-only
# packages of scripts/noinline-packages.txt.
P2PCAMD_TAGS = nosimclips nethttpomithttp2
P2PCAMD_NOINLINE = $(shell sed 's/\#.*//' $(P2PCAMD_SITE)/scripts/noinline-packages.txt)
P2PCAMD_BUILD_OPTS = $(foreach p,$(P2PCAMD_NOINLINE),-gcflags=$(p)=-l)

# Buildroot builds Go with -mod=vendor and no network (GOPROXY=off), and
# vendors only downloaded sources. A local source has no vendor/: make it
# before the build, with the network, in the build copy (not the checkout).
define P2PCAMD_GO_MOD_VENDOR
	if [ ! -d $(@D)/vendor ]; then \
		cd $(@D) && $(HOST_GO_COMMON_ENV) GOFLAGS="-mod=mod -modcacherw" \
			GOPROXY=$(or $(P2PCAMD_GOPROXY),https://proxy.golang.org$(comma)direct) \
			$(GO_BIN) mod vendor; \
	fi
endef
P2PCAMD_PRE_BUILD_HOOKS += P2PCAMD_GO_MOD_VENDOR

# User p2pcam, in groups video (/dev/video*) and audio (/dev/snd), owns the
# state directory; see rootfs/README.md for its layout.
define P2PCAMD_USERS
	p2pcam -1 p2pcam -1 * /var/lib/p2pcam - video,audio p2pcam camera daemon
endef

define P2PCAMD_PERMISSIONS
	/var/lib/p2pcam d 0750 p2pcam p2pcam - - - - -
	/var/lib/p2pcam/keys d 0700 p2pcam p2pcam - - - - -
	/var/lib/p2pcam/records d 0750 p2pcam p2pcam - - - - -
	/var/lib/p2pcam/ota d 0750 p2pcam p2pcam - - - - -
	/var/lib/p2pcam/slots d 0750 p2pcam p2pcam - - - - -
endef

P2PCAMD_ROOTFS = $(BR2_EXTERNAL_P2PCAM_PATH)/..

define P2PCAMD_INSTALL_CONFIG
	$(INSTALL) -D -m 0644 $(P2PCAMD_ROOTFS)/etc/p2pcam/p2pcamd.toml \
		$(TARGET_DIR)/etc/p2pcam/p2pcamd.toml
	mkdir -p $(TARGET_DIR)/var/lib/p2pcam/keys \
		$(TARGET_DIR)/var/lib/p2pcam/records \
		$(TARGET_DIR)/var/lib/p2pcam/ota \
		$(TARGET_DIR)/var/lib/p2pcam/slots
endef
P2PCAMD_POST_INSTALL_TARGET_HOOKS += P2PCAMD_INSTALL_CONFIG

# The A/B slots (/var/lib/p2pcam/slots/{a,b}/p2pcamd and state.json) are
# made by the first update; until then the launcher (p2pcamd slot exec, in
# the init script and the unit) runs /usr/bin/p2pcamd, the factory binary.
P2PCAMD_RELEASE_PUB = $(call qstrip,$(BR2_PACKAGE_P2PCAMD_RELEASE_PUB))
ifneq ($(P2PCAMD_RELEASE_PUB),)
define P2PCAMD_INSTALL_RELEASE_PUB
	$(INSTALL) -D -m 0644 $(P2PCAMD_RELEASE_PUB) $(TARGET_DIR)/etc/p2pcam/release.pub
endef
P2PCAMD_POST_INSTALL_TARGET_HOOKS += P2PCAMD_INSTALL_RELEASE_PUB
endif

# The sim board's clips, which the camera build reads from files.
ifeq ($(BR2_PACKAGE_P2PCAMD_SIM_CLIPS),y)
define P2PCAMD_INSTALL_SIM_CLIPS
	$(INSTALL) -d -m 0755 $(TARGET_DIR)/usr/share/p2pcam/sim
	$(INSTALL) -m 0644 $(@D)/capture/sim/clips/*.h264 \
		$(TARGET_DIR)/usr/share/p2pcam/sim/
endef
P2PCAMD_POST_INSTALL_TARGET_HOOKS += P2PCAMD_INSTALL_SIM_CLIPS
endif

define P2PCAMD_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(P2PCAMD_ROOTFS)/etc/init.d/S60p2pcamd \
		$(TARGET_DIR)/etc/init.d/S60p2pcamd
endef

define P2PCAMD_INSTALL_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(P2PCAMD_ROOTFS)/lib/systemd/system/p2pcamd.service \
		$(TARGET_DIR)/usr/lib/systemd/system/p2pcamd.service
endef

$(eval $(golang-package))

# What `cmake --install` (and so `make install` and the .deb) puts on the system. Paths under
# the prefix follow GNUInstallDirs; the configuration is always /etc/netpulse/netpulse.yaml
# (the daemon's and the CLI's default -c). A file added later adds its install() line here and
# its path to tests/integration/test_package.sh's EXPECTED_FILES.
include(GNUInstallDirs)

set(NP_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING
	"systemd system unit directory (relative: under the install prefix)")
set(NP_SYSUSERSDIR "lib/sysusers.d" CACHE STRING
	"sysusers.d directory (relative: under the install prefix)")
set(NP_TMPFILESDIR "lib/tmpfiles.d" CACHE STRING
	"tmpfiles.d directory (relative: under the install prefix)")

install(TARGETS netpulsed DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS netpulse_cli DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES daemon/netpulse.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES daemon/netpulsed.yaml.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES daemon/netpulsed.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES conf/netpulse.yaml DESTINATION /etc/netpulse)
install(FILES conf/netpulse.bash-completion
	DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME netpulse)

# The unit names /usr/sbin/netpulsed; it is rewritten when installed, with the prefix of that
# install (`cmake --install --prefix`, cpack's /usr), not the one configured.
install(CODE "
	file(READ \"${CMAKE_SOURCE_DIR}/systemd/netpulsed.service\" np_unit)
	string(REPLACE \"=/usr/sbin/netpulsed \"
		\"=\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SBINDIR}/netpulsed \" np_unit \"\${np_unit}\")
	file(WRITE \"${CMAKE_BINARY_DIR}/install/netpulsed.service\" \"\${np_unit}\")
")
install(FILES ${CMAKE_BINARY_DIR}/install/netpulsed.service DESTINATION ${NP_SYSTEMD_UNITDIR})
# The unit runs as User=netpulse: the user and its group (systemd-sysusers at boot; the .deb's
# postinst and `make install` run it at once).
install(FILES systemd/netpulse.sysusers DESTINATION ${NP_SYSUSERSDIR} RENAME netpulse.conf)
# /var/lib/netpulse before the first start, for --check-config's database directory check.
install(FILES systemd/netpulse.tmpfiles DESTINATION ${NP_TMPFILESDIR} RENAME netpulse.conf)

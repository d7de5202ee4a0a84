# `cpack -G DEB` (make deb): the Debian package of what cmake/install.cmake installs, under /usr.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME netpulse)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "network-monitoring daemon: link up/down, usage, syslog alerts")
set(CPACK_PACKAGE_DESCRIPTION
	"netpulsed polls this host's interfaces, Cisco Stealthwatch, Meraki, Aviatrix and Cato,
tracks links up and down, stores usage in SQLite and sends syslog alerts; netpulse
reports from its database. The service is installed but neither enabled nor started.")
set(NP_DEB_MAINTAINER "netpulse maintainers <root@localhost>" CACHE STRING
	"Maintainer field of the .deb")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${NP_DEB_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_STRIP_FILES ON)
# Libraries the binaries link, from dpkg-shlibdeps; libcurl is loaded with dlopen() when an
# HTTP source or mail first needs it (lib/io/curl_dl.c), so shlibdeps cannot see it. The
# postinst creates the user with systemd-sysusers, or adduser where systemd is absent.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4, systemd | adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates, tzdata")
# conffiles: /etc/netpulse/netpulse.yaml; maintainer scripts: packaging/deb/.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
	${CMAKE_SOURCE_DIR}/packaging/deb/conffiles
	${CMAKE_SOURCE_DIR}/packaging/deb/postinst
	${CMAKE_SOURCE_DIR}/packaging/deb/prerm
	${CMAKE_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

#!/bin/sh
# Builds the distributions of the Postroom server from its runnable jar, with no JDK needed where
# they run:
#   OUT/postroom-VERSION-linux-x64.tar.gz   postroom-VERSION/{bin/postroom, lib/postroom.jar,
#                                           runtime/ (jlink), postroom.service, postroom.properties}
#   OUT/postroom_DEBVERSION_amd64.deb        /opt/postroom/{bin,lib,runtime}, /usr/bin/postroom,
#                                           /lib/systemd/system/postroom.service,
#                                           /etc/postroom/postroom.properties (a conffile)
# Usage: packaging/build.sh SERVER_ALL_JAR VERSION OUT_DIR. Needs JAVA_HOME (JDK 25: jlink links
# from its run-time image), dpkg-deb and fakeroot. Quiet unless something fails; rerunning reuses
# the runtime it linked before (OUT/.work/runtime) while the JDK and the module list are the same.
set -eu

JAR=$1
VERSION=$2
OUT=$3
HERE=$(cd "$(dirname "$0")" && pwd)
: "${JAVA_HOME:?set JAVA_HOME to a JDK 25}"

# What the server jar needs: `jdeps --ignore-missing-deps --multi-release 25 --print-module-deps`
# on it (java.desktop for java.beans, java.rmi and java.instrument for JMX and logback), plus what
# jdeps cannot see: java.logging/java.management/java.xml through reflection and service loading,
# jdk.crypto.ec for TLS to PostgreSQL, jdk.zipfs for jar file systems.
MODULES=java.base,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.rmi,java.security.jgss,java.sql,java.xml,jdk.crypto.ec,jdk.management,jdk.unsupported,jdk.zipfs

WORK=$OUT/.work
mkdir -p "$WORK"
OUT=$(cd "$OUT" && pwd)
WORK=$OUT/.work

# 1. The runtime: linked again only when the JDK or the module list changed.
stamp="$("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1) $MODULES"
if [ ! -f "$WORK/runtime.stamp" ] || [ "$(cat "$WORK/runtime.stamp")" != "$stamp" ]; then
    rm -rf "$WORK/runtime" "$WORK/runtime.stamp"
    "$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
        --compress=zip-6 --output "$WORK/runtime"
    echo "$stamp" >"$WORK/runtime.stamp"
fi

# Lays out bin/, lib/ and runtime/ under $1.
install_home() {
    mkdir -p "$1/bin" "$1/lib"
    install -m 0755 "$HERE/postroom" "$1/bin/postroom"
    install -m 0644 "$JAR" "$1/lib/postroom.jar"
    cp -a "$WORK/runtime" "$1/runtime"
}

# 2. The tarball.
NAME=postroom-$VERSION
rm -rf "${WORK:?}/tar"
install_home "$WORK/tar/$NAME"
install -m 0644 "$HERE/postroom.service" "$HERE/postroom.properties" "$WORK/tar/$NAME/"
tar -czf "$OUT/$NAME-linux-x64.tar.gz" -C "$WORK/tar" --owner=0 --group=0 "$NAME"

# 3. The .deb, built with dpkg-deb under fakeroot so that every file belongs to root. A Maven
# "-SNAPSHOT" becomes "~SNAPSHOT", which Debian sorts before the release.
DEB_VERSION=$(echo "$VERSION" | sed 's/-/~/g')
ROOT=$WORK/deb
rm -rf "$ROOT"
install_home "$ROOT/opt/postroom"
mkdir -p "$ROOT/usr/bin" "$ROOT/lib/systemd/system" "$ROOT/etc/postroom" "$ROOT/DEBIAN"
ln -s /opt/postroom/bin/postroom "$ROOT/usr/bin/postroom"
install -m 0644 "$HERE/postroom.service" "$ROOT/lib/systemd/system/postroom.service"
install -m 0644 "$HERE/postroom.properties" "$ROOT/etc/postroom/postroom.properties"
install -m 0755 "$HERE/debian/postinst" "$HERE/debian/prerm" "$HERE/debian/postrm" "$ROOT/DEBIAN/"
install -m 0644 "$HERE/debian/conffiles" "$ROOT/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
sed -e "s/@VERSION@/$DEB_VERSION/" -e "s/@SIZE@/$size/" "$HERE/debian/control" >"$ROOT/DEBIAN/control"
# gzip: xz would take most of a minute on two cores for a few MiB less.
fakeroot dpkg-deb -Zgzip --build "$ROOT" "$OUT/postroom_${DEB_VERSION}_amd64.deb" >/dev/null

#!/bin/sh
# Builds nexa-test:busybox, the small local image the Docker sandbox tests run in.
# It is imported from a root filesystem made of Debian's static busybox rather
# than pulled, so the tests need no registry and no network. Idempotent.
set -eu

IMAGE=nexa-test:busybox

# Docker's engine normally runs already; start it when it does not (a fresh VM).
if ! docker info >/dev/null 2>&1; then
  dockerd >/tmp/dockerd.log 2>&1 &
  tries=0
  until docker info >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 60 ]; then
      echo "testImage: docker engine did not start; see /tmp/dockerd.log" >&2
      exit 1
    fi
    sleep 0.5
  done
fi

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "testImage: $IMAGE already exists"
  exit 0
fi

if [ ! -x /bin/busybox ]; then
  apt-get install -y busybox-static >/dev/null 2>&1 || {
    apt-get update >/dev/null 2>&1
    apt-get install -y busybox-static >/dev/null
  }
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/work" "$root/root"
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
# /root stays root-only, so a test can show the sandbox user cannot read it.
chmod 0700 "$root/root"
chmod 1777 "$root/tmp"
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF

tar -C "$root" --numeric-owner --owner=0 --group=0 -c . |
  docker import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - "$IMAGE" >/dev/null
echo "testImage: built $IMAGE from /bin/busybox"

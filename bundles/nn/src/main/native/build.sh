#!/usr/bin/env bash
# Compiles the nn bundle's native kernels: build.sh JAVA_HOME OUTPUT_DIR [DNNL_INCLUDE]. Without gcc it says so and
# exits 0: the bundle then runs on its Java fallbacks (slower products and transcendentals, same results to rounding).
# With oneDNN's headers (DNNL_INCLUDE, unpacked from JavaCPP's dnnl preset) the convolutions through oneDNN are built
# too; oneDNN itself is looked up at run time.
set -euo pipefail
java_home=$1 out=$2 dnnl=${3:-}
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$out"
lib="$out/libgenbench_nn.so"
if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
  echo "nn: native kernels are built for Linux x86-64 only; using the Java fallbacks"; exit 0
fi
if ! command -v gcc >/dev/null 2>&1; then
  echo "nn: gcc not found; the native kernels are not built and the Java fallbacks are used (apt-get install gcc)"; exit 0
fi
inc="$java_home/include"
[ -f "$inc/jni.h" ] || inc="$(dirname "$java_home")/include"
sources=("$src/kernels.c")
if [ -n "$dnnl" ] && [ -f "$dnnl/oneapi/dnnl/dnnl.h" ]; then
  sources+=("$src/dnnl.c")
else
  echo "nn: oneDNN headers not found; convolutions will run on the Java path"
fi
if [ "$lib" -nt "$src/kernels.c" ] && [ "$lib" -nt "$src/dnnl.c" ] && [ "$lib" -nt "$src/build.sh" ]; then exit 0; fi
# -fno-math-errno lets the loops call glibc's vector math (libmvec); no -ffast-math, so NaN and infinity keep their
# meaning and the JVM's floating-point state is not touched (-ffast-math links crtfastmath, which sets FTZ/DAZ).
gcc -O3 -fno-math-errno -fno-trapping-math -fopenmp-simd -fPIC -shared -std=gnu11 -Wall -Werror \
  -I"$inc" -I"$inc/linux" ${dnnl:+-I"$dnnl"} "${sources[@]}" -o "$lib.tmp" -ldl -lmvec -lm
mv "$lib.tmp" "$lib"
echo "nn: native kernels built: $lib"

# Compiling BPF C into CO-RE objects and libbpf skeletons.
#
# xvs_bpf_object(<name> <source>) compiles <source> with clang for the BPF
# target (-g -O2, CO-RE against the running kernel's BTF via a generated
# vmlinux.h) into <name>.bpf.o, and generates <name>.skel.h with
# `bpftool gen skeleton`. The skeleton embeds the object, so any binary that
# includes it carries its BPF programs. Link against the INTERFACE target
# <name>_skel to get the include path and build ordering.

find_program(XVS_BPF_CLANG NAMES clang-19 clang REQUIRED)
find_program(XVS_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)

set(XVS_BPF_OUT ${CMAKE_BINARY_DIR}/bpf-gen)
file(MAKE_DIRECTORY ${XVS_BPF_OUT})
set(XVS_VMLINUX_BTF /sys/kernel/btf/vmlinux CACHE FILEPATH "BTF the BPF objects are compiled against")

add_custom_command(
  OUTPUT ${XVS_BPF_OUT}/vmlinux.h
  COMMAND ${XVS_BPFTOOL} btf dump file ${XVS_VMLINUX_BTF} format c > ${XVS_BPF_OUT}/vmlinux.h.tmp
  COMMAND ${CMAKE_COMMAND} -E rename ${XVS_BPF_OUT}/vmlinux.h.tmp ${XVS_BPF_OUT}/vmlinux.h
  COMMENT "Generating vmlinux.h from ${XVS_VMLINUX_BTF}"
  VERBATIM)
add_custom_target(xvs_vmlinux_h DEPENDS ${XVS_BPF_OUT}/vmlinux.h)

function(xvs_bpf_object name source)
  set(obj ${XVS_BPF_OUT}/${name}.bpf.o)
  set(skel ${XVS_BPF_OUT}/${name}.skel.h)
  file(GLOB_RECURSE bpf_headers CONFIGURE_DEPENDS
       ${CMAKE_SOURCE_DIR}/bpf/lib/*.h ${CMAKE_SOURCE_DIR}/bpf/include/*.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${XVS_BPF_CLANG} -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86
            -Wall -Werror -Wno-unused-function
            -I${XVS_BPF_OUT} -I${CMAKE_SOURCE_DIR}/bpf/include -I${CMAKE_SOURCE_DIR}/bpf
            -c ${CMAKE_CURRENT_SOURCE_DIR}/${source} -o ${obj}
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${source} ${bpf_headers} ${XVS_BPF_OUT}/vmlinux.h
    COMMENT "BPF ${source}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${XVS_BPFTOOL} gen skeleton ${obj} name ${name} > ${skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
    DEPENDS ${obj}
    COMMENT "Skeleton ${name}.skel.h"
    VERBATIM)
  add_custom_target(${name}_gen DEPENDS ${skel} ${obj})
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_gen)
  target_include_directories(${name}_skel INTERFACE ${XVS_BPF_OUT} ${CMAKE_SOURCE_DIR}/bpf/include)
  # The built object's path, for the test that reads its BTF.
  set_property(GLOBAL PROPERTY XVS_BPF_OBJ_${name} ${obj})
endfunction()

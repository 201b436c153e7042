/*
 * Host tests of runner/qemu.c and runner/plan.c: the per-arch QEMU argv,
 * accelerator and CPU defaults, qemu_params splitting, timeouts and the
 * SKIPs decided before boot.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "efi-snapshot.h"
#include "plan.h"
#include "qemu.h"
#include "verdict-parse.h"

static struct strv argv;

static void argv_is(const char *want)
{
	char *got = shell_quote_argv(argv.v);

	assert_string_equal(got, want);
	free(got);
	strv_free(&argv);
}

static void build(const struct qemu_opts *o)
{
	struct err e;

	assert_int_equal(qemu_argv(o, &argv, &e), 0);
}

static void test_x86_tcg(void **state)
{
	(void)state;
	build(&(struct qemu_opts){ .arch = ARCH_X86_64, .qemu = "/q/x86",
		.payload = "x86/apic.elf", .accel = ACCEL_TCG, .smp = 2, .memory = 64 });
	argv_is("/q/x86 -nodefaults -no-user-config -display none -serial stdio -no-reboot "
		"-machine microvm -accel tcg -cpu max -smp 2 -m 64 -bios qboot.rom "
		"-kernel x86/apic.elf -device isa-debug-exit,iobase=0xf4,iosize=0x4");
}

/* boot = efi: q35, the firmware, efi-boot.efi, the payload as a fw_cfg file. */
static void test_x86_efi(void **state)
{
	(void)state;
	build(&(struct qemu_opts){ .arch = ARCH_X86_64, .qemu = "q", .payload = "a,b/t.elf",
		.accel = ACCEL_TCG, .smp = 1, .memory = 64, .append = "vmunit.boot=efi x",
		.efi_boot = "x86/efi-boot.efi", .efi_firmware = "/fw/OVMF.fd" });
	argv_is("q -nodefaults -no-user-config -display none -serial stdio -no-reboot "
		"-machine q35 -accel tcg -cpu max -smp 1 -m 64 -bios /fw/OVMF.fd "
		"-kernel x86/efi-boot.efi -fw_cfg name=opt/vmunit/payload,file=a,,b/t.elf "
		"-append 'a,b/t.elf vmunit.boot=efi x' -device isa-debug-exit,iobase=0xf4,iosize=0x4");
	strv_free(&argv);
	build(&(struct qemu_opts){ .arch = ARCH_ARM64, .qemu = "q", .payload = "t.elf",
		.accel = ACCEL_TCG, .smp = 1, .memory = 64, .machine = "virt",
		.efi_boot = "e.efi", .efi_firmware = "/fw/QEMU_EFI.fd" });
	argv_is("q -nodefaults -no-user-config -display none -serial stdio -no-reboot "
		"-machine virt -accel tcg -cpu max -smp 1 -m 64 -bios /fw/QEMU_EFI.fd "
		"-kernel e.efi -fw_cfg name=opt/vmunit/payload,file=t.elf");
}

static void test_arm64_kvm_with_args(void **state)
{
	(void)state;
	build(&(struct qemu_opts){ .arch = ARCH_ARM64, .qemu = "qemu-system-aarch64",
		.payload = "arm/its.elf", .accel = ACCEL_KVM, .smp = 4, .memory = 128,
		.append = "mem=128 its", .params = "-global a.b=c" });
	argv_is("qemu-system-aarch64 -nodefaults -no-user-config -display none "
		"-serial stdio -no-reboot -machine virt,gic-version=3 -accel kvm -cpu host -smp 4 "
		"-m 128 -kernel arm/its.elf -append 'mem=128 its' -global a.b=c");
}

static void test_s390x_overrides(void **state)
{
	(void)state;
	build(&(struct qemu_opts){ .arch = ARCH_S390X, .qemu = "q", .payload = "p",
		.accel = ACCEL_TCG, .smp = 1, .memory = 64, .machine = "s390-ccw-virtio,x=1",
		.cpu = "qemu,vx=on", .extra = (char *const[]){ "-S", "-s", NULL } });
	argv_is("q -nodefaults -no-user-config -display none -serial stdio -no-reboot "
		"-machine s390-ccw-virtio,x=1 -accel tcg -cpu qemu,vx=on -smp 1 -m 64 "
		"-kernel p -action panic=exit-failure -S -s");
}

static void split_is(const char *params, const char *want)
{
	struct err e;

	assert_int_equal(split_params(params, &argv, &e), 0);
	argv_is(want);
}

/* A snapshot's name follows the command line and the files it names. */
static void test_efi_snapshot_key(void **state)
{
	char dir[] = "/tmp/runner-efi-key.XXXXXX", *fw, *a, *b, *c, *d;
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };

	(void)state;
	assert_non_null(mkdtemp(dir));
	fw = xasprintf("%s/fw.fd", dir);
	assert_int_equal(write_file(fw, "x", 1), 0);
	a = efi_snapshot_key(dir, (char *const[]){ "q", "-bios", fw, "-m", "64", NULL });
	b = efi_snapshot_key(dir, (char *const[]){ "q", "-bios", fw, "-m", "64", NULL });
	c = efi_snapshot_key(dir, (char *const[]){ "q", "-bios", fw, "-m", "128", NULL });
	assert_int_equal(utimensat(AT_FDCWD, fw, old, 0), 0);
	d = efi_snapshot_key(dir, (char *const[]){ "q", "-bios", fw, "-m", "64", NULL });
	assert_string_equal(a, b);
	assert_true(!strncmp(a, dir, strlen(dir)) && strstr(a, ".state"));
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);	/* another firmware file */
	unlink(fw);
	rmdir(dir);
	free(fw), free(a), free(b), free(c), free(d);
}

static void test_split_params(void **state)
{
	struct err e;

	(void)state;
	split_is("  -a  b\t-c\n d ", "-a b -c d");
	split_is("-device 'virtio-rng,id=a b' -x \"two words\"",
		 "-device 'virtio-rng,id=a b' -x 'two words'");
	split_is("pre'quoted'post \"it's\" ''", "prequotedpost 'it'\\''s' ''");
	split_is("$(rm -rf /) `x` ;|&", "'$(rm' -rf '/)' '`x`' ';|&'");
	split_is("", "");
	assert_int_equal(split_params("-a \"open", &argv, &e), -1);
	assert_string_equal(e.msg, "unterminated \" quote in qemu_params");
	strv_free(&argv);
}

static void test_bad_params_fail_argv(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(qemu_argv(&(struct qemu_opts){ .arch = ARCH_X86_64,
		.qemu = "q", .payload = "p", .accel = ACCEL_TCG, .smp = 1,
		.memory = 1, .params = "'x" }, &argv, &e), -1);
	strv_free(&argv);
}

static void test_accel_pick(void **state)
{
	(void)state;
	assert_int_equal(accel_pick(ACCEL_AUTO, true, ARCH_X86_64, ARCH_X86_64), ACCEL_KVM);
	assert_int_equal(accel_pick(ACCEL_AUTO, false, ARCH_X86_64, ARCH_X86_64), ACCEL_TCG);
	assert_int_equal(accel_pick(ACCEL_AUTO, true, ARCH_ARM64, ARCH_X86_64), ACCEL_TCG);
	assert_int_equal(accel_pick(ACCEL_AUTO, true, ARCH_X86_64, -1), ACCEL_TCG);
	assert_int_equal(accel_pick(ACCEL_TCG, true, ARCH_X86_64, ARCH_X86_64), ACCEL_TCG);
	assert_int_equal(accel_pick(ACCEL_KVM, false, ARCH_S390X, ARCH_X86_64), ACCEL_KVM);
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(arch_from_name("arm64"), ARCH_ARM64);
	assert_int_equal(arch_from_name("aarch64"), -1);
	assert_int_equal(arch_from_any_name("aarch64"), ARCH_ARM64);
	assert_int_equal(arch_from_dir("arm"), ARCH_ARM64);
	assert_int_equal(arch_from_dir("x86"), ARCH_X86_64);
	assert_int_equal(arch_from_dir("tests"), -1);
	assert_int_equal(accel_from_name("kvm"), ACCEL_KVM);
	assert_int_equal(accel_from_name("whpx"), -1);
}

static void test_exit_decoding(void **state)
{
	int (*x86)(int) = arch_info(ARCH_X86_64)->decode_exit;
	int (*s390x)(int) = arch_info(ARCH_S390X)->decode_exit;

	(void)state;
	assert_int_equal(x86(1), 0);
	assert_int_equal(x86(3), 1);
	assert_int_equal(x86(7), 3);
	assert_int_equal(x86(0), -1);
	assert_int_equal(x86(2), -1);
	assert_null(arch_info(ARCH_ARM64)->decode_exit);
	assert_int_equal(s390x(0), 0);
	assert_int_equal(s390x(1), EXIT_NONZERO);
	assert_int_equal(s390x(2), -1);
}

static void test_qemu_find(void **state)
{
	char dir[] = "/tmp/runner-qemu-test.XXXXXX";
	char *bin, *got;
	struct err e;

	(void)state;
	assert_non_null(mkdtemp(dir));
	bin = xasprintf("%s/qemu-system-s390x", dir);
	fclose(fopen(bin, "w"));
	assert_int_equal(chmod(bin, 0755), 0);
	got = qemu_find(ARCH_S390X, NULL, dir, &e);
	assert_string_equal(got, bin);
	free(got);
	assert_null(qemu_find(ARCH_ARM64, NULL, dir, &e));
	assert_non_null(strstr(e.msg, "qemu-system-aarch64: not found"));
	got = qemu_find(ARCH_ARM64, bin, dir, &e);	/* $QEMU wins */
	assert_string_equal(got, bin);
	free(got);
	assert_null(qemu_find(ARCH_ARM64, "/nonexistent/q", NULL, &e));
	assert_string_equal(e.msg, "QEMU=/nonexistent/q: not an executable");
	unlink(bin);
	rmdir(dir);
	free(bin);
}

/* ---- plan.c ---- */

#define BUILDDIR_TEMPLATE "/tmp/runner-qemu-test.XXXXXX"
static char builddir[sizeof(BUILDDIR_TEMPLATE)];

/* A build directory holding x86/t.elf and arm/t.elf. */
static int make_builddir(void **state)
{
	const char *dirs[] = { "x86", "arm" };

	(void)state;
	strcpy(builddir, BUILDDIR_TEMPLATE);
	assert_non_null(mkdtemp(builddir));
	for (int i = 0; i < 2; i++) {
		char *dir = xasprintf("%s/%s", builddir, dirs[i]);
		char *elf = xasprintf("%s/t.elf", dir);

		assert_int_equal(mkdir(dir, 0755), 0);
		fclose(fopen(elf, "w"));
		free(elf);
		free(dir);
	}
	return 0;
}

static int remove_builddir(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", builddir);

	(void)state;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static struct host host(enum accel accel, bool kvm)
{
	return (struct host){
		.accel = accel, .kvm = kvm, .arch = ARCH_X86_64, .tcg_factor = 3,
		.builddir = builddir, .qemu = { "qx", "qa", "qs" },
	};
}

static struct cfg_entry entry(const char *file)
{
	return (struct cfg_entry){
		.name = "t", .file = (char *)file, .arch_mask = ARCH_MASK_ALL,
		.smp = 1, .memory = 64, .timeout = 30, .expect = -1,
	};
}

static void test_plan_kvm_and_tcg(void **state)
{
	struct cfg_entry c = entry("t");
	struct sel s = { &c, ARCH_X86_64 };
	struct host h = host(ACCEL_AUTO, true);
	char *payload = xasprintf("%s/x86/t.elf", builddir);
	struct test t;
	struct err e;

	(void)state;
	assert_int_equal(plan_test(&h, &s, &t, &e), 0);
	assert_int_equal(t.accel, ACCEL_KVM);
	assert_true(t.timeout_s == 30);
	assert_string_equal(t.argv.v[0], "qx");
	assert_string_equal(t.argv.v[13], "host");		/* -cpu */
	assert_string_equal(t.argv.v[21], payload);		/* -kernel */
	assert_string_equal(t.name, "t");
	assert_null(t.log);
	plan_free(&t);
	free(payload);

	h.multi_arch = true;
	h.logdir = "logs";
	s.arch = ARCH_ARM64;
	assert_int_equal(plan_test(&h, &s, &t, &e), 0);
	assert_int_equal(t.accel, ACCEL_TCG);
	assert_true(t.timeout_s == 90);
	assert_string_equal(t.argv.v[13], "max");
	assert_string_equal(t.name, "arm64/t");
	assert_string_equal(t.log, "logs/arm64/t.log");
	plan_free(&t);
}

static void test_plan_requires_accel(void **state)
{
	struct cfg_entry c = entry("t");
	struct sel s = { &c, ARCH_X86_64 };
	struct host h = host(ACCEL_AUTO, false);
	struct test t;
	struct err e;

	(void)state;
	c.accel = ACCEL_KVM;
	assert_int_equal(plan_test(&h, &s, &t, &e), 0);
	assert_string_equal(t.skip, "requires accel=kvm (running tcg)");
	assert_int_equal(t.argv.n, 0);
	plan_free(&t);
}

static void test_plan_missing_payload(void **state)
{
	struct cfg_entry c = entry("nope");
	struct sel s = { &c, ARCH_S390X };
	struct host h = host(ACCEL_TCG, false);
	struct test t;
	struct err e;

	(void)state;
	assert_int_equal(plan_test(&h, &s, &t, &e), -1);
	assert_non_null(strstr(e.msg, "/s390x/nope.elf: payload not found (test 't'; run make?)"));
	plan_free(&t);
}

static void test_preconditions(void **state)
{
	char path[] = "/tmp/runner-qemu-test.XXXXXX";
	int fd = mkstemp(path);
	char *checks, *why;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "Y\nsecond\n", 9), 9);
	close(fd);
	checks = xasprintf("%s=Y", path);
	assert_null(check_preconditions(checks));
	free(checks);
	checks = xasprintf("%s=Y %s=N", path, path);
	why = check_preconditions(checks);
	assert_non_null(strstr(why, path));
	assert_non_null(strstr(why, "= N (it reads another value)"));
	free(why);
	free(checks);
	/* A kernel parameter's short value may be quoted. */
	if (!access("/sys/kernel/mm/transparent_hugepage/enabled", R_OK)) {
		why = check_preconditions("/sys/kernel/mm/transparent_hugepage/enabled=none");
		assert_non_null(strstr(why, "(it reads "));
		assert_null(strstr(why, "another value"));
		free(why);
	}
	why = check_preconditions("/nonexistent/x=1");
	assert_string_equal(why, "requires /nonexistent/x = 1 (cannot read it: No such file or directory)");
	free(why);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_tcg),
		cmocka_unit_test(test_x86_efi),
		cmocka_unit_test(test_efi_snapshot_key),
		cmocka_unit_test(test_arm64_kvm_with_args),
		cmocka_unit_test(test_s390x_overrides),
		cmocka_unit_test(test_split_params),
		cmocka_unit_test(test_bad_params_fail_argv),
		cmocka_unit_test(test_accel_pick),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_exit_decoding),
		cmocka_unit_test(test_qemu_find),
		cmocka_unit_test_setup_teardown(test_plan_kvm_and_tcg,
						make_builddir, remove_builddir),
		cmocka_unit_test_setup_teardown(test_plan_requires_accel,
						make_builddir, remove_builddir),
		cmocka_unit_test(test_plan_missing_payload),
		cmocka_unit_test(test_preconditions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

"""Guest memory on a small board: a system whose domains started by hand take turns
([system] overcommit = yes) boots, and a domain that does not fit is refused by the VMM
with the numbers: what it needs and what is free."""
import images


def test_a_domain_that_does_not_fit_is_refused_with_the_numbers(tmp_path):
    # imx21: 64 MiB of RAM less DIRECTMAP's 12 MiB = 52 MiB for guests. dom0 takes 4 MiB and
    # big1 30 MiB; big2's 30 MiB find 18 MiB free. After big1 is destroyed, big2 fits.
    config = ("[system]\nname = turns\novercommit = yes\n"
              + images.domain("dom0", images.DOM0, memory="4M", privileged=True, cmdline="app=dom0",
                              ramdisk=images.RAMDISK)
              + images.domain("big1", images.MINIOS_TEST, memory="30M", start="manual", cmdline="app=guest console=ring")
              + images.domain("big2", images.MINIOS_TEST, memory="30M", start="manual", cmdline="app=guest console=ring"))
    images.make_ramdisk()
    image = images.build(tmp_path, "imx21", "turns", config)
    script = b"create big1\ncreate big2\ndestroy big1\ncreate big2\nlist\nhalt\n"
    run = images.run("imx21", image, console_input=script)
    out = run.output
    assert ("xen-arm: dom0: createdomain 'big2' failed: not enough free guest memory: "
            "needs 30720 KiB, 18432 KiB free\n") in out, out
    # Nothing was lost: after big1 goes, big2 is built in the memory it gave back.
    assert out.count("dom 2 'big2' created") == 1, out
    assert run.status == 0, out

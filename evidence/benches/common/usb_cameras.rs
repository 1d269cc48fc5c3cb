//! Cameras that read at USB speed, for the collection benchmark: each camera is a file-system
//! image on a loop device, mounted, and this process's reads from it are throttled with the
//! cgroup v1 blkio controller, so `cp` and the station meet the same slow devices. Needs root,
//! `losetup`, `mkfs.ext4` and /sys/fs/cgroup/blkio; everything is undone on drop.

use std::path::{Path, PathBuf};
use std::process::Command;

const CGROUP: &str = "/sys/fs/cgroup/blkio/liuhen-bench";

pub struct UsbCameras {
    pub mounts: Vec<PathBuf>,
    loops: Vec<String>,
}

fn run(program: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|err| format!("{program}: {err}"))?;
    if !out.status.success() {
        return Err(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

impl UsbCameras {
    /// `count` cameras of `mb` MB each under `dir`, read at `mb_per_second` each.
    pub fn new(dir: &Path, count: usize, mb: usize, mb_per_second: u64) -> Result<Self, String> {
        let mut cameras = Self {
            mounts: Vec::new(),
            loops: Vec::new(),
        };
        std::fs::create_dir_all(CGROUP).map_err(|err| format!("{CGROUP}: {err}"))?;
        let mut limits = String::new();
        for n in 1..=count {
            let image = dir.join(format!("camera{n}.img"));
            let size = format!("{}M", mb + mb / 8 + 64);
            run("truncate", &["-s", &size, &image.to_string_lossy()])?;
            let device = run("losetup", &["--find", "--show", &image.to_string_lossy()])?;
            cameras.loops.push(device.clone());
            run("mkfs.ext4", &["-q", "-F", &device])?;
            let mount = dir.join(format!("cam{n}"));
            std::fs::create_dir_all(&mount).map_err(|err| err.to_string())?;
            run("mount", &[&device, &mount.to_string_lossy()])?;
            cameras.mounts.push(mount);
            let rdev = std::os::unix::fs::MetadataExt::rdev(
                &std::fs::metadata(&device).map_err(|err| err.to_string())?,
            );
            let (major, minor) = (libc::major(rdev), libc::minor(rdev));
            limits.push_str(&format!("{major}:{minor} {}\n", mb_per_second << 20));
        }
        for line in limits.lines() {
            std::fs::write(format!("{CGROUP}/blkio.throttle.read_bps_device"), line)
                .map_err(|err| format!("throttling {line}: {err}"))?;
        }
        // The whole process (and the cp it starts) reads the cameras through the throttle.
        std::fs::write(
            format!("{CGROUP}/cgroup.procs"),
            std::process::id().to_string(),
        )
        .map_err(|err| format!("joining {CGROUP}: {err}"))?;
        Ok(cameras)
    }
}

impl Drop for UsbCameras {
    fn drop(&mut self) {
        let _ = std::fs::write(
            "/sys/fs/cgroup/blkio/cgroup.procs",
            std::process::id().to_string(),
        );
        let _ = std::fs::remove_dir(CGROUP);
        for mount in &self.mounts {
            let _ = run("umount", &[&mount.to_string_lossy()]);
        }
        for device in &self.loops {
            let _ = run("losetup", &["-d", device]);
        }
    }
}

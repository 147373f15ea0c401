# A raw_exec batch job: runs once, writes a small report to the shared alloc dir, exits 0.
# It shows as "dead" in `bivouac status` once complete, as Nomad shows finished batch jobs.
job "report" {
  type = "batch"

  group "report" {
    task "generate" {
      driver = "raw_exec"

      config {
        command = "/bin/sh"
        args    = ["-c", "date -u > \"$NOMAD_ALLOC_DIR/data/report.txt\" && uname -a >> \"$NOMAD_ALLOC_DIR/data/report.txt\" && echo report written"]
      }

      resources {
        cpu    = 50
        memory = 16
      }
    }
  }
}

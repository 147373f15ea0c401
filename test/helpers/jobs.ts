/** Job files the end-to-end tests share. */

/**
 * The task "t" block of a raw_exec job whose `script` runs under /bin/sh -c, with its small
 * resources; `extra` goes inside the task (kill_timeout, env, …).
 */
export function shTask(script: string, extra = ''): string {
  return `task "t" {
      driver = "raw_exec"
      ${extra}
      config {
        command = "/bin/sh"
        args = ["-c", ${JSON.stringify(script)}]
      }
      resources {
        cpu = 20
        memory = 16
      }
    }`;
}

/** A parameterized batch job: the payload file and `input`/`team` meta are printed by its task. */
export const PARAM_JOB = `job "proc" {
  type = "batch"
  meta {
    team = "a"
  }
  parameterized {
    payload       = "optional"
    meta_required = ["input"]
    meta_optional = ["mode"]
  }
  group "g" {
    task "t" {
      driver = "raw_exec"
      dispatch_payload {
        file = "in/payload.txt"
      }
      config {
        command = "/bin/sh"
        args = ["-c", "cat $NOMAD_TASK_DIR/in/payload.txt; echo \\"input=$NOMAD_META_input team=$NOMAD_META_team\\""]
      }
      resources {
        cpu = 20
        memory = 16
      }
    }
  }
}
`;

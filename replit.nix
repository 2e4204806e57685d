{ pkgs }: {
  deps = [ pkgs.bun pkgs.git ];
}

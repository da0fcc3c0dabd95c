# Homebrew formula for gumloop-mcp. `make dist` fills in the version and the
# source tarball's address and checksum, and writes build/gumloop-mcp.rb
# (DIST_URL names where the tarball is published; by default the file that
# make dist wrote). To install from it:
#   brew tap-new "$USER/local"
#   cp build/gumloop-mcp.rb "$(brew --repo "$USER/local")/Formula/"
#   brew install --build-from-source "$USER/local/gumloop-mcp"
class GumloopMcp < Formula
  desc "Stdio MCP server for the Gumloop API"
  homepage "@HOMEPAGE@"
  url "@URL@"
  sha256 "@SHA256@"
  license "MIT"

  depends_on "pkgconf" => :build
  depends_on "cjson"
  depends_on "curl"
  depends_on "mbedtls"

  uses_from_macos "zlib"

  def install
    # Homebrew's curl is keg-only: link it rather than load the system's.
    system "make", "CC=#{ENV.cc}", "LINK_CURL=1", "PREFIX=#{prefix}", "install"
  end

  test do
    assert_match "gumloop-mcp #{version}", shell_output("#{bin}/gumloop-mcp --version")
    assert_match "list_all_gumloop_flows", shell_output("#{bin}/gumloop-mcp --list-tools")
  end
end

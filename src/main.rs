fn main() {
    std::process::exit(plaint::run());
}

fn main() {
    console_error_panic_hook::set_once();
    modelport_worker::start();
}

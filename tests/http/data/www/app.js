console.log("qrc");
